using Edge.Station.Configuration;
using Edge.Station.Web;
using Edge.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Edge.Tests.Station;

/// <summary>The desk's configuration: every error names its key, all at once; nothing wrong is papered over with a default.</summary>
public sealed class DeskOptionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private Dictionary<string, string?> Good()
    {
        var key = _dir.Combine("desk.pem");
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        File.WriteAllText(key, ec.ExportPkcs8PrivateKeyPem());
        return new Dictionary<string, string?>
        {
            ["Desk:Broker"] = "mqtt://127.0.0.1:1883",
            ["Desk:CommandKeyFile"] = key,
            ["Desk:CommandKeyId"] = "desk-2026",
            ["Desk:Operators:0:Name"] = "wang",
            ["Desk:Operators:0:PasswordHash"] = PasswordHash.Make("secret"),
        };
    }

    private static DeskOptions Read(Dictionary<string, string?> values) =>
        DeskOptions.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    [Fact]
    public void A_good_configuration_is_read_with_its_defaults()
    {
        var o = Read(Good());
        Assert.Equal(1883, o.Broker.Port);
        Assert.Equal("station-desk", o.ClientId);
        Assert.Equal(TimeSpan.FromDays(1), o.SessionExpiry);
        Assert.Null(o.Gateways);
        Assert.Equal("wang", Assert.Single(o.Operators).Name);
    }

    [Fact]
    public void Every_error_is_named_by_its_key_at_once()
    {
        var values = Good();
        values["Desk:Broker"] = "http://x";
        values["Desk:Brokr"] = "mqtt://x:1";
        values["Desk:SessionExpiry"] = "soon";
        values["Desk:Operators:0:PasswordHash"] = "secret";
        values["Desk:Operators:0:Pasword"] = "x";
        values["Desk:Gateways:0"] = "c001";
        values["Desk:CommandKeyFile"] = _dir.Combine("missing.pem");
        var ex = Assert.Throws<DeskConfigException>(() => Read(values));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:Broker:", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:Brokr: unknown key", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:SessionExpiry:", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:Operators:0:PasswordHash:", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:Operators:0:Pasword: unknown key", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:Gateways:0:", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Desk:CommandKeyFile: no file", StringComparison.Ordinal));
        Assert.Equal(7, ex.Errors.Count);
    }

    [Fact]
    public void A_cluster_of_amqp_nodes_is_read_and_mixed_or_doubled_brokers_are_refused()
    {
        var values = Good();
        values.Remove("Desk:Broker");
        values["Desk:Brokers:0"] = "amqp://desk:pw@10.0.0.1:5672";
        values["Desk:Brokers:1"] = "amqp://desk:pw@10.0.0.2:5672";
        var o = Read(values);
        Assert.True(o.Amqp);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], o.Endpoints.Select(e => e.Host));

        values["Desk:Brokers:2"] = "mqtt://10.0.0.3:1883";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:Brokers: every node must be of one scheme", StringComparison.Ordinal));
        values.Remove("Desk:Brokers:2");
        values["Desk:Broker"] = "amqp://10.0.0.9:5672";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:Brokers: give Desk:Broker or Desk:Brokers, not both", StringComparison.Ordinal));
        values.Remove("Desk:Broker");
        values["Desk:Brokers:1"] = "amqp://10.0.0.2:5672/vhost";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:Brokers:1: 'amqp://10.0.0.2:5672/vhost' is not", StringComparison.Ordinal));
        values["Desk:Brokers:1"] = "amqp://desk:secret-pw@10.0.0.2:5672/vhost";
        Assert.DoesNotContain(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.Contains("secret-pw", StringComparison.Ordinal));
        values["Desk:Brokers:1"] = "amqp://10.0.0.2:5672";
        values["Desk:SharedGroup"] = "station";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:SharedGroup: desks that share the messages need one database", StringComparison.Ordinal));
        values["Desk:PostgreSql"] = "Host=db;Database=desk;Username=edge";
        Assert.Equal("station", Read(values).SharedGroup);
        values["Desk:Brokers:1"] = "amqps://10.0.0.2:5671";
        values["Desk:Brokers:0"] = "amqps://10.0.0.1:5671";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:CaFile: amqps:// needs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_shared_database_that_is_not_one_is_refused_by_its_key()
    {
        var values = Good();
        values["Desk:PostgreSql"] = "Host=db;Databse=desk;Usrname";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:PostgreSql: not an Npgsql connection string", StringComparison.Ordinal));
        values["Desk:PostgreSql"] = "Username=edge";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:PostgreSql: names no Host and Database", StringComparison.Ordinal));
        values["Desk:PostgreSql"] = "Host=127.0.0.1;Port=5432;Database=desk;Username=edge";
        Assert.Equal("Host=127.0.0.1;Port=5432;Database=desk;Username=edge", Read(values).PostgreSql);
    }

    [Fact]
    public void A_shared_database_the_desk_cannot_reach_stops_the_start_naming_the_key_to_be_tried_again()
    {
        var values = Good();
        values["Desk:DataDirectory"] = _dir.Combine("data");
        values["Desk:PostgreSql"] = $"Host=127.0.0.1;Port={Edge.Simulator.Broker.StationBroker.FreePort()};Database=desk;Username=edge;Timeout=3";
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(values);
        // Not a wrong configuration (exit 2, not restarted): the database may be starting, so the service tries again (exit 3).
        var ex = Assert.Throws<DeskUnavailableException>(() => Edge.Station.DeskApp.Build(builder));
        Assert.StartsWith("Desk:PostgreSql: cannot use PostgreSQL 127.0.0.1:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_configured_names_what_is_required()
    {
        var ex = Assert.Throws<DeskConfigException>(() => Read([]));
        Assert.Equal(["Desk:Broker: required", "Desk:Operators: at least one operator is needed to use the desk", "Desk:CommandKeyFile: required", "Desk:CommandKeyId: required"],
            ex.Errors);
    }

    [Fact]
    public void Mqtts_needs_its_files()
    {
        var values = Good();
        values["Desk:Broker"] = "mqtts://broker:8883";
        Assert.Contains(Assert.Throws<DeskConfigException>(() => Read(values)).Errors, e => e.StartsWith("Desk:CaFile: mqtts:// needs", StringComparison.Ordinal));
    }

    [Fact]
    public void Passwords_are_checked_against_their_hash_only()
    {
        var hash = PasswordHash.Make("correct horse");
        Assert.True(PasswordHash.Verify("correct horse", hash));
        Assert.False(PasswordHash.Verify("correct horse ", hash));
        Assert.False(PasswordHash.Verify("correct horse", "pbkdf2-sha256$1$AAAA$AAAA"));
        Assert.NotEqual(hash, PasswordHash.Make("correct horse"));
    }

    public void Dispose() => _dir.Dispose();
}
