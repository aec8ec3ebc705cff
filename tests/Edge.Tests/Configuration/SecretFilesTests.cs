using Edge.Gateway.Configuration;
using Edge.Gateway.Service;
using Edge.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Edge.Tests.Configuration;

/// <summary>Secrets read from files and systemd credentials instead of the configuration, and every way that can go wrong named by its key.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretFilesTests : IDisposable
{
    private const string CardSecret = "q0E9m3cR1xV7sT2bN8wK4yH6jL5pA0dF";
    private readonly TempDirectory _dir = new();

    private readonly Dictionary<string, string?> _values = new()
    {
        ["Edge:Gateway:Community"] = "c001", ["Edge:Gateway:Id"] = "gw1", ["Edge:Gateway:DataDirectory"] = "/tmp/edge-secret-test",
        ["Edge:Uplink:Broker"] = "mqtt://127.0.0.1:1883",
        ["Edge:Access:Controllers:0:Id"] = "ctl-1", ["Edge:Access:Controllers:0:Url"] = "https://10.20.0.15/",
        ["Edge:Access:Controllers:0:User"] = "edge",
        ["Edge:Access:OsdpReaders:0:Id"] = "rdr-1", ["Edge:Access:OsdpReaders:0:Endpoint"] = "tcp://10.20.0.30:4001",
        ["Edge:Access:OsdpReaders:0:Address"] = "1",
        ["Edge:Cameras:Devices:0:Id"] = "cam-1", ["Edge:Cameras:Devices:0:Url"] = "https://10.20.1.21/", ["Edge:Cameras:Devices:0:User"] = "edge",
    };

    private string Secret(string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)
    {
        var path = _dir.Combine(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private GatewaySettings Bind(string? credentials = null) =>
        SettingsBinder.Bind(new ConfigurationBuilder().AddInMemoryCollection(_values).Build(), credentials);

    private IReadOnlyList<string> Failures(string? credentials = null)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Bind(credentials));
        return [.. ex.Failures];
    }

    [Fact]
    public void Every_secret_is_read_from_its_file_with_the_line_end_removed()
    {
        _values["Edge:Uplink:PasswordFile"] = Secret("broker", "broker-pass\n");
        _values["Edge:Access:CardSecretFile"] = Secret("card", CardSecret + "\r\n");
        _values["Edge:Access:Controllers:0:PasswordFile"] = Secret("controller", "controller-pass");
        _values["Edge:Access:OsdpReaders:0:ScbkFile"] = Secret("scbk", "00112233445566778899AABBCCDDEEFF\n");
        _values["Edge:Cameras:Devices:0:PasswordFile"] = Secret("camera", "camera pass with spaces \n");

        var settings = Bind();

        Assert.Equal("broker-pass", settings.Uplink.Password);
        Assert.Equal(CardSecret, settings.Access!.CardSecret);
        Assert.Equal("controller-pass", settings.Access.Controllers[0].Password);
        Assert.Equal("00112233445566778899AABBCCDDEEFF", settings.Access.OsdpReaders[0].Scbk);
        Assert.Equal("camera pass with spaces ", settings.Cameras!.Devices[0].Password);
        Assert.Empty(SecretFiles.Inline(settings));
    }

    [Fact]
    public void A_systemd_credential_is_read_from_the_credentials_directory()
    {
        var credentials = _dir.Combine("credentials");
        Directory.CreateDirectory(credentials);
        File.WriteAllText(Path.Combine(credentials, "edge_card-secret"), CardSecret);
        File.SetUnixFileMode(Path.Combine(credentials, "edge_card-secret"), UnixFileMode.UserRead);
        _values["Edge:Access:CardSecretFile"] = "cred:edge_card-secret";
        _values["Edge:Access:Controllers:0:Password"] = "inline";
        _values["Edge:Cameras:Devices:0:Password"] = "inline";

        var settings = Bind(credentials);

        Assert.Equal(CardSecret, settings.Access!.CardSecret);
        // The two written inline are named for the warning at start.
        Assert.Equal(["Edge:Access:Controllers:0:Password", "Edge:Cameras:Devices:0:Password"], SecretFiles.Inline(settings));
    }

    [Fact]
    public void Every_problem_is_refused_at_once_each_naming_its_key()
    {
        _values["Edge:Uplink:Password"] = "inline";
        _values["Edge:Uplink:PasswordFile"] = Secret("broker", "file");
        _values["Edge:Access:CardSecretFile"] = Secret("card", CardSecret, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        _values["Edge:Access:Controllers:0:PasswordFile"] = "secrets/controller";
        _values["Edge:Access:OsdpReaders:0:ScbkFile"] = "cred:scbk";
        _values["Edge:Cameras:Devices:0:PasswordFile"] = _dir.Combine("missing");

        var failures = Failures();

        Assert.Contains(failures, f => f.StartsWith("Edge:Uplink:Password and Edge:Uplink:PasswordFile are both set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Edge:Access:CardSecretFile: ", StringComparison.Ordinal) && f.Contains("readable by every user", StringComparison.Ordinal) && f.Contains("mode 0444", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Edge:Access:Controllers:0:PasswordFile 'secrets/controller' must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Edge:Access:OsdpReaders:0:ScbkFile 'cred:scbk' is a systemd credential, but CREDENTIALS_DIRECTORY is not set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Edge:Cameras:Devices:0:PasswordFile: ", StringComparison.Ordinal) && f.Contains("does not exist", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\n", "is empty")]
    [InlineData("", "is empty")]
    public void An_empty_secret_file_is_refused(string text, string problem)
    {
        _values["Edge:Access:CardSecretFile"] = Secret("card", text);

        Assert.Contains(Failures(), f => f.StartsWith("Edge:Access:CardSecretFile: ", StringComparison.Ordinal) && f.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void A_credential_name_cannot_leave_the_credentials_directory()
    {
        _values["Edge:Access:CardSecretFile"] = "cred:../etc/shadow";

        Assert.Contains(Failures(_dir.Path), f => f.StartsWith("Edge:Access:CardSecretFile 'cred:../etc/shadow' must name a credential", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_gateway_process_refuses_a_secret_file_others_can_read()
    {
        var file = Secret("broker", "pass", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using var gateway = GatewayProcess.Start(new Dictionary<string, string>
        {
            ["Edge__Gateway__DataDirectory"] = _dir.Combine("gw"),
            ["Edge__Uplink__Username"] = "gw1",
            ["Edge__Uplink__PasswordFile"] = file,
        });

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(GatewayProgram.ConfigurationError, gateway.ExitCode);
        Assert.Contains($"Edge:Uplink:PasswordFile: {file} is readable by every user", gateway.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
