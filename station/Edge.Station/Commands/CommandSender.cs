using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Topics;
using Edge.Station.Configuration;
using Edge.Station.Ingest;

namespace Edge.Station.Commands;

/// <summary>
/// Sends the desk's steps to a community's gateway as signed commands (ES256 JWS, see <see cref="CommandJws"/>) on
/// <c>edge/v1/{community}/{gateway}/commands/{type}</c>, QoS 1, living 30 s (message expiry), with the results topic as
/// response topic. The gateway's answer comes back through the ingest and is stored on the step.
/// </summary>
public sealed class CommandSender : IDisposable
{
    /// <summary>How long a command may be applied: well within the 40 s a gateway accepts from its issue.</summary>
    public static readonly TimeSpan Life = TimeSpan.FromSeconds(30);

    private readonly ECDsa _key;
    private readonly string _keyId;
    private readonly DeskIngest _ingest;
    private readonly TimeProvider _time;

    public CommandSender(DeskOptions options, DeskIngest ingest, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = ECDsa.Create();
        try
        {
            _key.ImportFromPem(File.ReadAllText(options.CommandKeyFile));
        }
        catch (ArgumentException ex)
        {
            throw new DeskConfigException([$"Desk:CommandKeyFile: '{options.CommandKeyFile}' holds no EC private key in PEM ({ex.Message})"]);
        }

        if (_key.KeySize != 256)
        {
            throw new DeskConfigException([$"Desk:CommandKeyFile: the key is {_key.KeySize} bits; commands are signed with P-256 (ES256)"]);
        }

        _keyId = options.CommandKeyId;
        _ingest = ingest;
        _time = time;
    }

    /// <summary>The command a step of <paramref name="operatorName"/> on an alarm makes, ready to send.</summary>
    public StationCommand Make(string type, string community, string gateway, Guid alarm, string operatorName)
    {
        var now = _time.GetUtcNow();
        return new StationCommand(Guid.CreateVersion7(now), type, community, gateway, "desk:" + operatorName, now, now + Life,
            new JsonObject { ["alarm"] = alarm.ToString("D") });
    }

    /// <summary>Publishes a command through the desk's link; throws when the broker is not reachable or refuses it.</summary>
    public Task SendAsync(StationCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        return _ingest.SendCommandAsync(command, Topic.Command(command.Community, command.Gateway, command.Type),
            Encoding.ASCII.GetBytes(CommandJws.Sign(command, _keyId, _key)), ct);
    }

    public void Dispose() => _key.Dispose();
}
