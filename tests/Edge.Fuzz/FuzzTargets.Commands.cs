using System.Security.Cryptography;
using System.Text;
using Edge.Contracts.Commands;
using Edge.Gateway.Commands;

namespace Edge.Fuzz;

public static partial class FuzzTargets
{
    /// <summary>When the fuzzed commands are checked: the seeds are issued a few seconds before.</summary>
    public static readonly DateTimeOffset CommandClock = new(2026, 11, 28, 8, 0, 5, TimeSpan.Zero);

    /// <summary>
    /// The station key that signs the fuzzed payloads (the gateway trusts it as "station-2026"). Made for fuzzing and
    /// published here: fixed, so a corpus entry signed with it means the same on every run.
    /// </summary>
    public static ECDsa StationKey { get; } = CreateStationKey();

    private static ECDsa CreateStationKey()
    {
        var key = ECDsa.Create();
        key.ImportFromPem("""
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdHNFYpS53GeEPMKP
            a2QRJBKrI6XF+WVb/33Rwv4rhDqhRANCAASn+Vj3XrKl6cliwGaA1ccooFgAWbT4
            0/MlTDtfnGL8NkONX8U3m2MZh5BnrOfhMhkrt7HbxjkKZzvWfGZblE3Q
            -----END PRIVATE KEY-----
            """);
        return key;
    }

    /// <summary>
    /// The first byte chooses: its low bit, whether the rest is a message as it came off the commands topic (1) or a
    /// command's JSON, which the harness signs with the station's key so the checks after the signature are reached
    /// (0); the bits above it, the topic it came on (<see cref="TopicTypes"/>).
    /// </summary>
    private static bool Command(byte[] data)
    {
        // An empty input still goes through the parser: SharpFuzz reads afl's first input before afl has written it,
        // and a harness that ran no gateway code on it would make afl-fuzz stop with "No instrumentation detected".
        data = data.Length == 0 ? [0] : data;
        var ledger = new MemoryLedger();
        var verifier = new CommandVerifier("c001", "gw1", new Dictionary<string, ECDsa> { ["station-2026"] = StationKey }, ledger, new FixedTime(CommandClock));
        var payload = data.AsSpan(1).ToArray();
        var topicType = TopicTypes[(data[0] >> 1) % TopicTypes.Length];
        var message = data[0] % 2 == 1 ? payload : Encoding.ASCII.GetBytes(Sign(payload));
        var check = verifier.Check(topicType, message);
        if (check.Accepted)
        {
            var c = check.Command!;
            Check(c.Type == topicType && c.Community == "c001" && c.Gateway == "gw1", "a command accepted for another gateway or topic");
            Check(CommandTypes.All.Contains(c.Type), $"a command of unknown type '{c.Type}' accepted");
            var life = c.ExpiresAt - c.IssuedAt;
            Check(life > TimeSpan.Zero && life <= CommandTypes.MaxLifetime(c.Type), $"a command living {life} accepted");
            Check(CommandClock <= c.ExpiresAt && c.IssuedAt <= CommandClock + CommandVerifier.FutureSkew, "a command out of its time accepted");

            // The same message again is a replay.
            Check(verifier.Check(topicType, message).Refusal == CommandOutcomes.Replayed, "a replayed command accepted twice");
            return true;
        }

        Check(!string.IsNullOrEmpty(check.Refusal) && !string.IsNullOrEmpty(check.Reason), "a command refused without an outcome and a reason");
        return false;
    }

    /// <summary>
    /// The command types in a fixed order, and one no gateway knows. Made on first use: the gateway's code is
    /// instrumented, and runs only once SharpFuzz has mapped afl-fuzz's coverage memory (a static field would run it
    /// before, and fault).
    /// </summary>
    public static string[] TopicTypes => _topicTypes ??= [.. CommandTypes.All.Order(StringComparer.Ordinal), "door.unlock-all"];

    private static string[]? _topicTypes;

    /// <summary>A compact JWS of <paramref name="payload"/> as the desk signs one.</summary>
    public static string Sign(byte[] payload)
    {
        var header = CommandJws.Base64Url(Encoding.UTF8.GetBytes($"{{\"alg\":\"{CommandJws.Algorithm}\",\"kid\":\"station-2026\",\"typ\":\"{CommandJws.MediaType}\"}}"));
        var input = $"{header}.{CommandJws.Base64Url(payload)}";
        var signature = StationKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{CommandJws.Base64Url(signature)}";
    }


    private sealed class MemoryLedger : ICommandLedger
    {
        private readonly HashSet<Guid> _taken = [];

        public bool TryTake(Guid id, DateTimeOffset keepUntil) => _taken.Add(id);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
