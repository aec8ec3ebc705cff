using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;

namespace Edge.Gateway.Service;

/// <summary>
/// The log levels of the <c>Serilog</c> section: <c>Serilog:MinimumLevel:Default</c> and
/// <c>Serilog:MinimumLevel:Override:&lt;source&gt;</c>. Nothing else is read from the section, and
/// anything else in it is refused with its key, like every other setting: a misspelt level would otherwise leave the
/// gateway logging at a level nobody chose. (Serilog.Settings.Configuration would read the same keys by reflection,
/// which the published, Native AOT gateway does not have, and passes over a key it does not know.)
/// </summary>
public sealed record LogLevels(LogEventLevel Default, IReadOnlyDictionary<string, LogEventLevel> Overrides)
{
    public const string Section = "Serilog";

    /// <summary>The levels configured, over Information; every key that does not read is added to <paramref name="errors"/>.</summary>
    public static LogLevels Read(IConfiguration configuration, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        var level = LogEventLevel.Information;
        var overrides = new Dictionary<string, LogEventLevel>(StringComparer.Ordinal);
        foreach (var child in configuration.GetSection(Section).GetChildren())
        {
            if (!child.Key.Equals("MinimumLevel", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{child.Path} is not a setting (known: MinimumLevel)");
                continue;
            }

            // One form only: the bundled file sets Default, and a machine file's plain level beside it would leave
            // which one counts to the order of the files.
            if (child.Value is not null)
            {
                errors.Add($"{child.Path} '{child.Value}': write the level as {child.Path}:Default");
            }

            foreach (var part in child.GetChildren())
            {
                if (part.Key.Equals("Default", StringComparison.OrdinalIgnoreCase))
                {
                    level = Level(part, errors) ?? level;
                }
                else if (part.Key.Equals("Override", StringComparison.OrdinalIgnoreCase))
                {
                    if (part.Value is not null)
                    {
                        errors.Add($"{part.Path} must name sources and their levels ({part.Path}:Microsoft: Warning)");
                    }

                    foreach (var source in part.GetChildren())
                    {
                        if (Level(source, errors) is { } sourceLevel)
                        {
                            overrides[source.Key] = sourceLevel;
                        }
                    }
                }
                else
                {
                    errors.Add($"{part.Path} is not a setting (known: Default, Override)");
                }
            }
        }

        return new LogLevels(level, overrides);
    }

    /// <summary>As <see cref="Read(IConfiguration, List{string})"/>; throws <see cref="OptionsValidationException"/> naming every key that does not read.</summary>
    public static LogLevels Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var levels = Read(configuration, errors);
        return errors.Count == 0 ? levels : throw new OptionsValidationException(Section, typeof(LogLevels), errors);
    }

    public LoggerConfiguration ApplyTo(LoggerConfiguration log)
    {
        ArgumentNullException.ThrowIfNull(log);
        log.MinimumLevel.Is(Default);
        foreach (var (source, level) in Overrides)
        {
            log.MinimumLevel.Override(source, level);
        }

        return log;
    }

    private static LogEventLevel? Level(IConfigurationSection value, List<string> errors)
    {
        if (value.Value is { } text && !text.Any(char.IsDigit) && Enum.TryParse<LogEventLevel>(text, ignoreCase: true, out var level))
        {
            return level;
        }

        errors.Add($"{value.Path} '{value.Value}' is not a log level (Verbose, Debug, Information, Warning, Error, Fatal)");
        return null;
    }
}
