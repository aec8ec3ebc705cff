using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Configuration;

/// <summary>
/// The gateway's configuration files as an installer meets them. The machine-wide file
/// (<c>/etc/edge-gateway/appsettings.json</c>, or the one <c>EDGE_GATEWAY_CONFIG</c> names) is read after the bundled
/// one. A file that is named but missing or unreadable stops the start: a gateway that quietly ran on the bundled
/// defaults would run as nobody in particular, or as whoever the defaults say. Top-level sections a file holds are
/// checked too, so <c>"Egde": {...}</c> is refused instead of ignored.
/// </summary>
public static class ConfigurationFiles
{
    /// <summary>The environment variable naming the machine-wide file.</summary>
    public const string Variable = "EDGE_GATEWAY_CONFIG";

    /// <summary>The machine-wide file read when <see cref="Variable"/> is not set.</summary>
    public const string SystemFile = "/etc/edge-gateway/appsettings.json";

    /// <summary>The top-level sections a gateway's file may hold.</summary>
    public static readonly IReadOnlyList<string> Sections = ["Edge", "Serilog"];

    /// <summary>
    /// The machine-wide file to read: the one <see cref="Variable"/> names (relative to the working directory), which
    /// must exist; else <see cref="SystemFile"/> when it exists; else null. Throws
    /// <see cref="OptionsValidationException"/> naming the variable and the file.
    /// </summary>
    public static string? MachineFile(string? named, string workingDirectory)
    {
        if (string.IsNullOrWhiteSpace(named))
        {
            return File.Exists(SystemFile) ? SystemFile : null;
        }

        var path = Path.GetFullPath(named, workingDirectory);
        if (!File.Exists(path))
        {
            throw Refused($"{Variable} names '{path}', which does not exist{(Directory.Exists(path) ? " as a file (it is a directory)" : "")}");
        }

        return path;
    }

    /// <summary>Adds <paramref name="path"/> after the bundled JSON files and before environment variables.</summary>
    public static void Add(IConfigurationManager configuration, string path)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sources = configuration.Sources;
        var index = sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is JsonConfigurationSource).i + 1;
        var source = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        try
        {
            sources.Insert(index, source);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            // The manager loads a source as it is added: unreadable, not JSON, or a key twice.
            throw Refused($"{path} cannot be read: {Describe(ex)}");
        }
    }

    /// <summary>Every top-level section of a JSON file that the gateway does not know, as a message naming the file.</summary>
    public static IEnumerable<string> UnknownSections(IConfigurationRoot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var provider in configuration.Providers.OfType<JsonConfigurationProvider>())
        {
            foreach (var key in provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!Sections.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    yield return $"'{key}' in {FullPath(provider.Source)} is not a section (known: {string.Join(", ", Sections)})";
                }
            }
        }
    }

    private static string FullPath(FileConfigurationSource source) =>
        source.FileProvider is PhysicalFileProvider files ? Path.Combine(files.Root, source.Path ?? "") : source.Path ?? "(a JSON file)";

    private static string Describe(Exception ex) => ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;

    private static OptionsValidationException Refused(string message) => new("Edge", typeof(GatewaySettings), [message]);
}
