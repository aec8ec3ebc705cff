using Edge.Simulator.Cli;

namespace Edge.Tests.Simulator;

public sealed class SimulatorCliTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("500ms", 0.5)]
    [InlineData("2.5", 2.5)]
    public void Durations_are_seconds_or_a_number_with_a_unit(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("5x")]
    [InlineData("99999999h")]
    public void Nonsense_durations_are_refused(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData("run", "--duration", "soon")]
    [InlineData("run", "--communities", "0")]
    [InlineData("run", "--broker", "http://x")]
    [InlineData("fly")]
    public async Task Bad_arguments_exit_non_zero_with_a_message(params string[] args)
    {
        using var output = new StringWriter();
        var parse = SimulatorCli.Build(output).Parse(args);

        var code = await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.NotEqual(0, code);
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public async Task A_short_run_delivers_every_event_and_says_so()
    {
        using var output = new StringWriter();

        var code = await SimulatorCli.Build(output).Parse(["run", "--communities", "3", "--duration", "3", "--test-events", "20", "--alarm-every", "500ms", "--quiet"]).InvokeAsync();

        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("3 started", text, StringComparison.Ordinal);
        Assert.Contains("3 reported offline when stopped", text, StringComparison.Ordinal);
        Assert.Contains("lost 0", text, StringComparison.Ordinal);
        Assert.Matches(@"committed at the gateways (\d+), delivered to the station \1,", text);
        Assert.Matches(@"alarms       ([1-9]\d*) buttons pressed in the simulator, \1 alarms at the station", text);
        Assert.Contains("result       OK", text, StringComparison.Ordinal);
    }
}
