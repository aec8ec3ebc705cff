using Edge.Gateway.Service;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;

namespace Edge.Tests.Configuration;

/// <summary>The <c>Serilog</c> section of the gateway: log levels only, every other key and every level that is not one refused by name.</summary>
public sealed class LogLevelsTests
{
    private static (LogLevels Levels, List<string> Errors) Read(params (string Key, string Value)[] values)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
        var errors = new List<string>();
        return (LogLevels.Read(config, errors), errors);
    }

    [Fact]
    public void Default_and_overrides_are_read_and_applied()
    {
        var (levels, errors) = Read(("Serilog:MinimumLevel:Default", "warning"), ("Serilog:MinimumLevel:Override:Microsoft", "Error"),
            ("Serilog:MinimumLevel:Override:Edge.Gateway.Uplink", "Debug"));

        Assert.Empty(errors);
        Assert.Equal(LogEventLevel.Warning, levels.Default);
        using var log = levels.ApplyTo(new LoggerConfiguration()).CreateLogger();
        Assert.False(log.IsEnabled(LogEventLevel.Information));
        Assert.True(log.IsEnabled(LogEventLevel.Warning));
        Assert.False(log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Microsoft.Hosting").IsEnabled(LogEventLevel.Warning));
        Assert.True(log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Edge.Gateway.Uplink.MqttUplink").IsEnabled(LogEventLevel.Debug));
    }

    /// <summary>A level written as MinimumLevel itself would sit beside the bundled file's Default, and which one counted would depend on the files' order.</summary>
    [Fact]
    public void A_level_written_as_minimum_level_itself_is_refused_and_no_section_reads()
    {
        var (_, plain) = Read(("Serilog:MinimumLevel", "Debug"), ("Serilog:MinimumLevel:Default", "Warning"));
        Assert.Contains(plain, e => e.StartsWith("Serilog:MinimumLevel 'Debug': write the level as Serilog:MinimumLevel:Default", StringComparison.Ordinal));

        var (levels, errors) = Read();
        Assert.Empty(errors);
        Assert.Equal(LogEventLevel.Information, levels.Default);
    }

    [Theory]
    [InlineData("Serilog:MinimumLevel:Default", "Loud", "Serilog:MinimumLevel:Default 'Loud' is not a log level")]
    [InlineData("Serilog:MinimumLevel:Default", "3", "Serilog:MinimumLevel:Default '3' is not a log level")]
    [InlineData("Serilog:MinimumLevel:Override:Microsoft", "Quiet", "Serilog:MinimumLevel:Override:Microsoft 'Quiet' is not a log level")]
    [InlineData("Serilog:MinimumLevel:Override", "Warning", "Serilog:MinimumLevel:Override must name sources")]
    [InlineData("Serilog:MinimumLevl:Default", "Warning", "Serilog:MinimumLevl is not a setting")]
    [InlineData("Serilog:MinimumLevel:Defualt", "Warning", "Serilog:MinimumLevel:Defualt is not a setting")]
    [InlineData("Serilog:WriteTo:0:Name", "Seq", "Serilog:WriteTo is not a setting")]
    public void A_key_or_level_that_does_not_read_is_refused_by_name(string key, string value, string message)
    {
        var (levels, errors) = Read((key, value));

        Assert.Contains(errors, e => e.StartsWith(message, StringComparison.Ordinal));
        Assert.Equal(LogEventLevel.Information, levels.Default);
    }
}
