using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Common;
using Edge.Gateway.Events;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// What keeps a reader's session from working and needs a person: a reader that cannot prove it holds its key
/// (<c>secure-channel-refused</c>), a reader that takes commands only over the secure channel the panel has no key for
/// (<c>secure-channel-required</c>), a command the reader refuses (<c>command-refused</c>, one per command). Each is a
/// <c>device.fault</c> once when it begins, however often the session meets it again, and once more (restored) when
/// it ends; each beginning is logged, at most one line per 30 s per reader.
/// </summary>
internal sealed partial class OsdpSessionFaults
{
    public const string SecureChannelRefused = "secure-channel-refused";
    public const string SecureChannelRequired = "secure-channel-required";
    public const string CommandRefused = "command-refused";

    private readonly OsdpReaderOptions _options;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly Dictionary<string, JsonObject> _active = [];

    public OsdpSessionFaults(OsdpReaderOptions options, IEventSink sink, TimeProvider time, ILogger log, LogLimiter limiter)
    {
        _options = options;
        _sink = sink;
        _time = time;
        _log = log;
        _limiter = limiter;
    }

    /// <summary>The faults active now, by key (<c>command-refused</c> carries the command: <c>command-refused:osdp_LED</c>).</summary>
    public IReadOnlyCollection<string> Active => _active.Keys;

    /// <summary>The reader refused <paramref name="command"/> with a NAK of <paramref name="nak"/>.</summary>
    public Task CommandRefusedAsync(byte command, byte nak, CancellationToken ct) =>
        RaiseAsync(CommandRefused + ":" + OsdpCommand.Name(command),
            new JsonObject { ["fault"] = CommandRefused, ["command"] = OsdpCommand.Name(command), ["nak"] = OsdpNak.Name(nak) },
            $"refuses {OsdpCommand.Name(command)} ({OsdpNak.Name(nak)}); it is not sent again before the next session", ct);

    /// <summary>The reader took <paramref name="command"/>: a refusal of it has ended.</summary>
    public Task CommandTakenAsync(byte command, CancellationToken ct) =>
        _active.Count == 0 ? Task.CompletedTask : RestoreAsync(CommandRefused + ":" + OsdpCommand.Name(command), ct);

    public Task RaiseAsync(string fault, string why, CancellationToken ct) => RaiseAsync(fault, new JsonObject { ["fault"] = fault }, why, ct);

    /// <summary>The session is usable: the reader and the panel agree on the secure channel again.</summary>
    public async Task SessionUsableAsync(CancellationToken ct)
    {
        await RestoreAsync(SecureChannelRefused, ct).ConfigureAwait(false);
        await RestoreAsync(SecureChannelRequired, ct).ConfigureAwait(false);
    }

    private async Task RaiseAsync(string key, JsonObject data, string why, CancellationToken ct)
    {
        if (_active.ContainsKey(key))
        {
            return;
        }

        _active[key] = data;
        if (_limiter.TryEnter(out var held))
        {
            LogRaised(_options.Id, why, held);
        }

        data["via"] = "osdp";
        await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, EventState.Active, _time.GetUtcNow(),
            data.DeepClone().AsObject()), ct).ConfigureAwait(false);
    }

    private async Task RestoreAsync(string key, CancellationToken ct)
    {
        if (!_active.Remove(key, out var data))
        {
            return;
        }

        LogRestored(_options.Id, key);
        await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, EventState.Restored, _time.GetUtcNow(),
            data), ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OSDP reader {Reader}: {Problem} ({Held} similar lines held back)")]
    private partial void LogRaised(string reader, string problem, long held);

    [LoggerMessage(Level = LogLevel.Information, Message = "OSDP reader {Reader}: {Fault} has ended")]
    private partial void LogRestored(string reader, string fault);
}
