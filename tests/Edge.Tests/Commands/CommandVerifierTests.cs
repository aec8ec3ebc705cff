using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Gateway.Commands;
using Edge.Gateway.Outbox;
using Edge.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Commands;

/// <summary>Signed commands as the gateway checks them, on a fake clock: each refusal, and a replay also after a restart.</summary>
public sealed class CommandVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _station = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly MemoryCommandLedger _ledger = new();
    private readonly TempDirectory _dir = new();

    private CommandVerifier Verifier(ICommandLedger? ledger = null)
    {
        var key = ECDsa.Create(_station.ExportParameters(false));
        return new CommandVerifier("c001", "gw1", new Dictionary<string, ECDsa> { ["station-2026"] = key }, ledger ?? _ledger, _time);
    }

    private static StationCommand Acknowledge(DateTimeOffset? issuedAt = null, TimeSpan? life = null, string community = "c001", string type = CommandTypes.AlarmAcknowledge)
    {
        var at = issuedAt ?? Now;
        return new StationCommand(Guid.CreateVersion7(), type, community, "gw1", "desk-1", at, at + (life ?? TimeSpan.FromSeconds(30)),
            new JsonObject { ["alarm"] = Guid.CreateVersion7().ToString() });
    }

    private byte[] Signed(StationCommand command, string keyId = "station-2026", ECDsa? key = null) =>
        Encoding.ASCII.GetBytes(CommandJws.Sign(command, keyId, key ?? _station));

    [Fact]
    public void A_command_signed_by_a_station_key_for_this_gateway_and_in_its_time_is_accepted_once()
    {
        var verifier = Verifier();
        var command = Acknowledge();

        var first = verifier.Check(CommandTypes.AlarmAcknowledge, Signed(command));
        var again = verifier.Check(CommandTypes.AlarmAcknowledge, Signed(command));

        Assert.True(first.Accepted, first.Reason);
        Assert.Equal((command.Id, command.Type, command.Issuer, command.ExpiresAt), (first.Command!.Id, first.Command.Type, first.Command.Issuer, first.Command.ExpiresAt));
        Assert.Equal((string?)command.Data!["alarm"], (string?)first.Command.Data!["alarm"]);
        Assert.Equal((CommandOutcomes.Replayed, command.Id), (again.Refusal, again.Command!.Id));
    }

    [Fact]
    public void Every_kind_of_bad_command_is_refused_with_its_outcome_and_reason()
    {
        var verifier = Verifier();
        var good = Acknowledge();
        var signed = Encoding.ASCII.GetString(Signed(good));
        var parts = signed.Split('.');
        var tampered = Acknowledge() with { Id = good.Id, Community = "c002" };
        var spliced = parts[0] + "." + CommandJws.Sign(tampered, "station-2026", _forger).Split('.')[1] + "." + parts[2];
        var cases = new (string Name, string Topic, byte[] Payload, string Outcome, string Reason)[]
        {
            ("garbage", CommandTypes.AlarmAcknowledge, "not a jws"u8.ToArray(), CommandOutcomes.Refused, "compact JWS"),
            ("oversized", CommandTypes.AlarmAcknowledge, new byte[CommandVerifier.MaxBytes + 1], CommandOutcomes.Refused, "over the limit"),
            ("forged", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(), key: _forger), CommandOutcomes.Refused, "does not verify"),
            ("tampered payload", CommandTypes.AlarmAcknowledge, Encoding.ASCII.GetBytes(spliced), CommandOutcomes.Refused, "does not verify"),
            ("unknown key", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(), keyId: "station-2025"), CommandOutcomes.Refused, "unknown station key"),
            ("another community", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(community: "c002")), CommandOutcomes.Refused, "meant for c002/gw1"),
            ("another topic", CommandTypes.AlarmResolve, Signed(Acknowledge()), CommandOutcomes.Refused, "came on the topic"),
            ("unknown type", "door.explode", Signed(Acknowledge(type: "door.explode")), CommandOutcomes.Refused, "unknown command type"),
            ("too long a life", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(life: TimeSpan.FromMinutes(5))), CommandOutcomes.Refused, "a life of 300 s"),
            ("from the future", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(Now.AddSeconds(21))), CommandOutcomes.Refused, "ahead of the gateway's clock"),
            ("expired", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(Now.AddSeconds(-31))), CommandOutcomes.Expired, "issued 31 s ago"),
            ("issued too long ago", CommandTypes.AlarmAcknowledge, Signed(Acknowledge(Now.AddSeconds(-41), TimeSpan.FromSeconds(60))), CommandOutcomes.Expired, "issued 41 s ago"),
        };

        foreach (var (name, topic, payload, outcome, reason) in cases)
        {
            var check = verifier.Check(topic, payload);
            Assert.True(check.Refusal == outcome && check.Reason.Contains(reason, StringComparison.Ordinal), $"{name}: {check.Refusal} {check.Reason}");
        }

        // Slightly ahead (within 20 s) is the station's clock, not an attack.
        Assert.True(verifier.Check(CommandTypes.AlarmAcknowledge, Signed(Acknowledge(Now.AddSeconds(19)))).Accepted);
    }

    [Fact]
    public void A_command_taken_before_a_restart_is_refused_as_replayed_after_it()
    {
        var path = _dir.Combine("outbox.db");
        using (OutboxStore.Open(path, "c001/gw1", new OutboxOptions()))
        {
        }

        var command = Signed(Acknowledge());
        using (var ledger = new CommandLedger(path, _time))
        {
            Assert.True(Verifier(ledger).Check(CommandTypes.AlarmAcknowledge, command).Accepted);
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        using var reopened = new CommandLedger(path, _time);
        var replay = Verifier(reopened).Check(CommandTypes.AlarmAcknowledge, command);
        Assert.Equal(CommandOutcomes.Replayed, replay.Refusal);

        // Once the command has expired it is forgotten by the ledger, and refused as expired instead.
        _time.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 100; i++)
        {
            reopened.TryTake(Guid.CreateVersion7(), Now.AddMinutes(10));
        }

        Assert.Equal(CommandOutcomes.Expired, Verifier(reopened).Check(CommandTypes.AlarmAcknowledge, command).Refusal);
    }

    [Fact]
    public void A_hundred_thousand_mangled_commands_are_all_answered_and_none_is_accepted()
    {
        var verifier = Verifier();
        var random = new Random(13);
        var good = Signed(Acknowledge());
        var json = Encoding.UTF8.GetBytes("{\"id\":\"0190f3a0-0000-7000-8000-000000000001\",\"type\":\"alarm.acknowledge\",\"community\":\"c001\",\"gateway\":\"gw1\",\"issuer\":\"d\",\"issuedAt\":\"2026-12-01T08:00:00.000Z\",\"expiresAt\":\"2026-12-01T08:00:30.000Z\"}");
        var header = CommandJws.Base64Url("{\"alg\":\"ES256\",\"kid\":\"station-2026\"}"u8);
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            byte[] payload;
            switch (i % 5)
            {
                case 0:
                    payload = new byte[random.Next(0, 600)];
                    random.NextBytes(payload);
                    break;
                case 1:
                    // A valid command with one byte changed: the signature no longer holds.
                    payload = good.ToArray();
                    payload[random.Next(payload.Length)] ^= (byte)(1 + random.Next(255));
                    break;
                case 2:
                    // Mangled JSON under a real-looking header and a random signature.
                    var mangled = json.ToArray();
                    mangled[random.Next(mangled.Length)] = (byte)random.Next(256);
                    payload = Encoding.ASCII.GetBytes(header + "." + CommandJws.Base64Url(mangled) + "." + CommandJws.Base64Url(RandomNumberGenerator.GetBytes(64)));
                    break;
                case 3:
                    payload = Encoding.ASCII.GetBytes(string.Join('.', Enumerable.Range(0, random.Next(1, 5)).Select(_ => CommandJws.Base64Url(RandomNumberGenerator.GetBytes(random.Next(0, 80))))));
                    break;
                default:
                    payload = Encoding.ASCII.GetBytes(CommandJws.Base64Url(RandomNumberGenerator.GetBytes(30)) + "." + CommandJws.Base64Url(json) + "." + CommandJws.Base64Url(RandomNumberGenerator.GetBytes(64)));
                    break;
            }

            var check = verifier.Check(CommandTypes.AlarmAcknowledge, payload);
            Assert.False(string.IsNullOrEmpty(check.Refusal) && !check.Accepted);
            accepted += check.Accepted ? 1 : 0;
        }

        Assert.Equal(0, accepted);
    }

    public void Dispose()
    {
        _station.Dispose();
        _forger.Dispose();
        _dir.Dispose();
    }
}
