using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Tests.Support;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Tests.Station;

/// <summary>
/// The desk (the real edge-station process) on a real Mosquitto, killed with SIGKILL in the middle of a flood and
/// started again: its persistent session and its PUBACK-after-commit lose nothing, and nothing is stored twice.
/// </summary>
public sealed class DeskCrashTests : IDisposable
{
    private const int Events = 20_000;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_desk_killed_mid_flood_and_restarted_has_every_event_once()
    {
        using var broker = await Mosquitto.StartAsync(Directory.CreateDirectory(_dir.Combine("broker")).FullName, "max_queued_messages 100000\nmax_inflight_messages 100\n");
        var config = WriteConfig(broker.Port);
        var env = new Dictionary<string, string> { ["EDGE_STATION_CONFIG"] = config };
        var desk = GatewayProcess.StartProgram("edge-station.dll", env);
        try
        {
            await Eventually.True(() => desk.Output.Contains("Desk connected", StringComparison.Ordinal), "the desk connected");

            using var publisher = new MqttClientFactory().CreateMqttClient();
            await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("flood").Build());
            var at = DateTimeOffset.UtcNow;
            var alarms = 0;
            var killed = false;
            for (var seq = 1; seq <= Events; seq++)
            {
                var alarm = seq % 50 == 0;
                alarms += alarm ? 1 : 0;
                var e = alarm
                    ? DeskFixtures.Event(EventTypes.AlarmPanic, seq, at, device: $"btn-{seq}")
                    : DeskFixtures.Event(EventTypes.DeviceTest, seq, at, null, Priority.Low, device: "gateway");
                await publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic.Event(e)).WithPayload(Payloads.Encode(e))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                if (!killed && seq >= Events / 3 && Count("events") > 1000)
                {
                    desk.Kill();
                    killed = true;
                }
            }

            Assert.True(killed, "the desk was killed mid-flood");
            desk.Dispose();
            desk = GatewayProcess.StartProgram("edge-station.dll", env);
            await Eventually.True(() => Count("events") == Events, $"all {Events} events at the desk", TimeSpan.FromSeconds(120));
            Assert.Equal(Events, Count("(SELECT DISTINCT seq FROM events)"));
            Assert.Equal(alarms, Count("alarms"));
            Assert.Equal(0, Count("quarantine"));
        }
        finally
        {
            desk.Dispose();
        }
    }

    private long Count(string table)
    {
        var db = _dir.Combine("desk/desk.db");
        if (!File.Exists(db))
        {
            return 0;
        }

        using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {table}";
        try
        {
            return (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            // Not made yet.
            return 0;
        }
    }

    private string WriteConfig(int port)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = _dir.Combine("desk.pem");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        var config = new JsonObject
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Desk"] = new JsonObject
            {
                ["Broker"] = $"mqtt://127.0.0.1:{port}",
                ["DataDirectory"] = _dir.Combine("desk"),
                ["CommandKeyFile"] = keyFile,
                ["CommandKeyId"] = "desk-test",
                ["Operators"] = new JsonArray(new JsonObject { ["Name"] = "wang", ["PasswordHash"] = DeskFixtures.PasswordHashOfPw }),
            },
        };
        var path = _dir.Combine("station.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
