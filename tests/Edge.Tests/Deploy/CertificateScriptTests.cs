using System.Security.Cryptography.X509Certificates;
using Edge.Contracts.Tls;
using Edge.Tests.Support;

namespace Edge.Tests.Deploy;

/// <summary>
/// The certificate scripts in deploy/certs, run as an installer would: every leaf lives at most a year, names the
/// identity the broker's ACL expects, chains to the CA, and has its key readable by its owner only.
/// </summary>
public sealed class CertificateScriptTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_scripts_issue_year_long_certificates_for_each_identity()
    {
        Assert.SkipWhen(!CertificateScripts.Available, CertificateScripts.SkipReason);
        var ca = _dir.Combine("ca");
        await CertificateScripts.RunAsync("make-ca.sh", ca);
        await CertificateScripts.RunAsync("make-broker.sh", ca, "broker.station.lan", "10.0.0.5");
        await CertificateScripts.RunAsync("make-gateway.sh", ca, "c001", "gw1");
        await CertificateScripts.RunAsync("make-station.sh", ca, "station-app");
        await CertificateScripts.RunAsync("make-station.sh", ca, "station-probe");
        Assert.NotEqual(0, await CertificateScripts.RunAsync("make-station.sh", expectFailure: true, ca, "station-admin"));

        using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ca, "edge-ca.crt"));
        foreach (var (file, cn) in new[] { ("station-broker", "broker.station.lan"), ("edge-c001-gw1", "c001/gw1"), ("station-app", "station-app"), ("station-probe", "station-probe") })
        {
            using var cert = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ca, file + ".crt"));
            Assert.Equal(cn, cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
            Assert.True(cert.NotAfter - cert.NotBefore <= TimeSpan.FromDays(366), $"{file} lives {(cert.NotAfter - cert.NotBefore).TotalDays:0} days");
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(cert), $"{file} does not chain to the CA");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(ca, file + ".key")));
            }
        }
    }

    [Fact]
    public async Task A_revoked_gateway_is_refused_by_the_broker_while_the_others_connect()
    {
        Assert.SkipWhen(!CertificateScripts.Available, CertificateScripts.SkipReason);
        Assert.SkipWhen(Mosquitto.Binary is null, "mosquitto is not installed (.ci/run installs it)");
        var ca = _dir.Combine("ca");
        await CertificateScripts.RunAsync("make-ca.sh", ca);
        await CertificateScripts.RunAsync("make-broker.sh", ca, "localhost", "127.0.0.1");
        await CertificateScripts.RunAsync("make-gateway.sh", ca, "c001", "gw1");
        await CertificateScripts.RunAsync("make-gateway.sh", ca, "c001", "gw2");
        await CertificateScripts.RunAsync("revoke.sh", ca, Path.Combine(ca, "edge-c001-gw2.crt"));
        Assert.NotEqual(0, await CertificateScripts.RunAsync("revoke.sh", expectFailure: true, ca, "/nonexistent.crt"));

        using var broker = await Mosquitto.StartAsync(_dir.Path, CertificateScripts.BrokerConfig(ca), anonymous: false);

        using var kept = await ConnectAsync(broker, ca, "edge-c001-gw1");
        Assert.True(kept.IsConnected);
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(broker, ca, "edge-c001-gw2"));
    }

    private static async Task<MQTTnet.IMqttClient> ConnectAsync(Mosquitto broker, string ca, string name)
    {
        var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        try
        {
            var certificate = TlsFiles.LoadClient(Path.Combine(ca, name + ".crt"), Path.Combine(ca, name + ".key"));
            await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId(name)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .WithTlsOptions(t => t.UseTls().WithClientCertificates([certificate]).WithCertificateValidationHandler(_ => true))
                .Build());
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public void Dispose() => _dir.Dispose();
}
