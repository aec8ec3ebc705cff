using Edge.Contracts.Events;
using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Uplink;

/// <summary>
/// The client certificate is renewed on disk without a restart: a new pair is presented from the next connection, a
/// broken one never replaces a working one, and the end of its validity is warned about in time (on a fake clock).
/// </summary>
public sealed class ClientCertificateTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TestCertificates _certs;
    private readonly FakeLogger _log = new();

    public ClientCertificateTests()
    {
        _certs = new TestCertificates(_dir.Path);
    }

    private IReadOnlyList<FakeLogRecord> Logged(LogLevel level) => _log.Collector.GetSnapshot().Where(r => r.Level == level).ToList();

    [Fact]
    public void A_renewed_pair_on_disk_is_presented_from_then_on()
    {
        var (cert, key) = _certs.Client("c001/gw1");
        var certificate = new ClientCertificate(cert, key, new FakeTimeProvider(DateTimeOffset.UtcNow), _log);
        var first = certificate.Current.SerialNumber;
        Assert.Equal(first, certificate.Current.SerialNumber);

        _certs.Client("c001/gw1");

        var renewed = certificate.Current;
        Assert.NotEqual(first, renewed.SerialNumber);
        Assert.True(renewed.HasPrivateKey);
        Assert.Single(Logged(LogLevel.Information), r => r.Message.Contains("Client certificate reloaded: CN=c001/gw1"));
    }

    [Fact]
    public void A_half_written_or_missing_pair_leaves_the_working_certificate_in_use_and_is_reported_once()
    {
        var (cert, key) = _certs.Client("c001/gw1");
        var certificate = new ClientCertificate(cert, key, new FakeTimeProvider(DateTimeOffset.UtcNow), _log);
        var first = certificate.Current.SerialNumber;
        var oldKey = File.ReadAllText(key);

        // A new certificate whose key has not arrived yet: the old key does not match it.
        _certs.Client("c001/gw1");
        File.WriteAllText(key, oldKey);
        Assert.Equal(first, certificate.Current.SerialNumber);
        Assert.Equal(first, certificate.Current.SerialNumber);
        Assert.Single(Logged(LogLevel.Warning), r => r.Message.Contains("changed but do not load"));

        // Taken away while being replaced.
        File.Delete(key);
        Assert.Equal(first, certificate.Current.SerialNumber);
        Assert.Equal(first, certificate.Current.SerialNumber);
        Assert.Single(Logged(LogLevel.Warning), r => r.Message.Contains("cannot be read"));

        // The renewal completes: the new pair is taken.
        var (_, _) = _certs.Client("c001/gw1");
        Assert.NotEqual(first, certificate.Current.SerialNumber);
        Assert.Equal(2, Logged(LogLevel.Warning).Count);
    }

    [Fact]
    public void The_end_of_validity_is_warned_about_from_30_days_before_once_a_day_and_shown_in_the_status()
    {
        var (cert, key) = _certs.Client("c001/gw1", validFor: TimeSpan.FromDays(41));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var certificate = new ClientCertificate(cert, key, clock, _log);
        var status = certificate.Status();
        Assert.Equal("CN=c001/gw1", status.Subject);
        Assert.InRange(status.DaysLeft, 39.9, 40.1);
        Assert.Empty(Logged(LogLevel.Warning));

        clock.Advance(TimeSpan.FromDays(10.5));
        Assert.InRange(certificate.Status().DaysLeft, 29.4, 29.6);
        var warning = Assert.Single(Logged(LogLevel.Warning));
        Assert.Contains("expires", warning.Message);
        Assert.Contains("in 29 days", warning.Message);

        // Asked again within the day (every heartbeat and connect asks): no second warning.
        clock.Advance(TimeSpan.FromHours(23));
        _ = certificate.Current;
        _ = certificate.Status();
        Assert.Single(Logged(LogLevel.Warning));
        clock.Advance(TimeSpan.FromHours(1));
        _ = certificate.Status();
        Assert.Equal(2, Logged(LogLevel.Warning).Count);

        clock.Advance(TimeSpan.FromDays(30));
        Assert.True(certificate.Status().DaysLeft < 0);
        Assert.Single(Logged(LogLevel.Error), r => r.Message.Contains("expired") && r.Message.Contains("the broker will refuse the next connection"));

        // Renewed: the warnings stop.
        _certs.Client("c001/gw1");
        clock.Advance(TimeSpan.FromDays(1));
        Assert.True(certificate.Status().DaysLeft > 100);
        Assert.Single(Logged(LogLevel.Error));
        Assert.Equal(2, Logged(LogLevel.Warning).Count);
    }

    [Fact]
    public async Task A_gateway_whose_certificate_was_revoked_and_renewed_reconnects_with_the_new_one_without_a_restart()
    {
        Assert.SkipWhen(!CertificateScripts.Available, CertificateScripts.SkipReason);
        Assert.SkipWhen(Mosquitto.Binary is null, Mosquitto.SkipReason);
        var ca = _dir.Combine("ca");
        await CertificateScripts.RunAsync("make-ca.sh", ca);
        await CertificateScripts.RunAsync("make-broker.sh", ca, "localhost", "127.0.0.1");
        await CertificateScripts.RunAsync("make-gateway.sh", ca, "c001", "gw1");
        var crt = Path.Combine(ca, "edge-c001-gw1.crt");
        var old = Path.Combine(ca, "old.crt");
        File.Copy(crt, old);
        using var broker = await Mosquitto.StartAsync(_dir.Path, CertificateScripts.BrokerConfig(ca), anonymous: false);
        var settings = TestGateway.Settings($"mqtts://127.0.0.1:{broker.Port}", _dir.Combine("gw"));
        settings.Uplink.CaFile = Path.Combine(ca, "edge-ca.crt");
        settings.Uplink.CertificateFile = crt;
        settings.Uplink.KeyFile = Path.Combine(ca, "edge-c001-gw1.key");
        Assert.Empty(settings.Validate());
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        await Eventually.True(() => gw.Store.Pending(Priority.Critical) == 0, "the first alarm delivered with the first certificate");

        // The box's certificate is renewed in place, the old one revoked, and the broker restarted to read the CRL.
        await CertificateScripts.RunAsync("make-gateway.sh", ca, "c001", "gw1");
        await CertificateScripts.RunAsync("revoke.sh", ca, old);
        broker.Stop();
        await broker.RestartAsync();
        await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1", n: 1));

        await Eventually.True(() => gw.Store.Pending(Priority.Critical) == 0, "the second alarm delivered with the renewed certificate");
        Assert.True(gw.UplinkService.State.Reconnects >= 1);
        Assert.Equal(
            System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(crt).SerialNumber,
            gw.UplinkService.ClientCertificate!.Current.SerialNumber);
        Assert.InRange(gw.HeartbeatService.Current().ClientCertificate!.DaysLeft, 363, 366);
        await gw.StopAsync(default);
    }

    public void Dispose() => _dir.Dispose();
}
