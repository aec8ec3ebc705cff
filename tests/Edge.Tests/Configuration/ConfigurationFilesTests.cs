using Edge.Gateway.Configuration;
using Edge.Tests.Support;
using Microsoft.Extensions.Options;

namespace Edge.Tests.Configuration;

/// <summary>Which machine configuration file the gateway reads, and what it refuses.</summary>
public sealed class ConfigurationFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void A_named_file_is_found_relative_to_the_working_directory_not_the_program()
    {
        File.WriteAllText(_dir.Combine("site.json"), "{}");

        Assert.Equal(_dir.Combine("site.json"), ConfigurationFiles.MachineFile("site.json", _dir.Path));
        Assert.Equal(_dir.Combine("site.json"), ConfigurationFiles.MachineFile(_dir.Combine("site.json"), "/"));
    }

    [Fact]
    public void A_named_file_that_is_missing_or_a_directory_is_refused_with_the_variable_and_the_path()
    {
        var missing = Assert.Throws<OptionsValidationException>(() => ConfigurationFiles.MachineFile("nope.json", _dir.Path));
        Assert.Equal($"EDGE_GATEWAY_CONFIG names '{_dir.Combine("nope.json")}', which does not exist", Assert.Single(missing.Failures));

        var directory = Assert.Throws<OptionsValidationException>(() => ConfigurationFiles.MachineFile(_dir.Path, "/"));
        Assert.Contains("it is a directory", Assert.Single(directory.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_name_the_system_file_is_read_only_when_it_exists()
    {
        Assert.Equal(File.Exists(ConfigurationFiles.SystemFile) ? ConfigurationFiles.SystemFile : null, ConfigurationFiles.MachineFile(null, _dir.Path));
        Assert.Equal(File.Exists(ConfigurationFiles.SystemFile) ? ConfigurationFiles.SystemFile : null, ConfigurationFiles.MachineFile(" ", _dir.Path));
    }

    public void Dispose() => _dir.Dispose();
}
