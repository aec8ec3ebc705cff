using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// What one reader's reports mean for the contract (the session that fetches them is <see cref="OsdpReaderLink"/>'s):
/// card reads (osdp_RAW, osdp_FMT) become <c>access.card</c>; keypad keys are counted, never sent (a PIN is the
/// resident's); a tamper or power report (osdp_LSTATR) becomes <c>device.tamper</c> or a <c>device.fault</c>, active
/// when it begins and restored when it ends; input reports (osdp_ISTATR) drive the door's <see cref="DoorStateMachine"/>,
/// and while the door is forced or held open the reader flashes red and sounds, when it can.
/// </summary>
internal sealed class OsdpReaderEvents
{
    private readonly OsdpReaderOptions _options;
    private readonly IEventSink _sink;
    private readonly CardPrivacy _privacy;
    private readonly TimeProvider _time;
    private readonly Action<byte, byte[]> _send;
    private readonly DoorStateMachine? _door;
    /// <summary>The alarm the door was in when the gateway stopped, until the first input report takes it back.</summary>
    private readonly DoorSignalKind? _resume;
    private byte[]? _inputs;
    private bool _tamper;
    private bool _powerFailed;
    private long _keys;

    /// <param name="send">Queues an output command for the reader (LED and buzzer while the door is in alarm).</param>
    /// <param name="cursors">Where the door's alarm was kept when the gateway last stopped (the outbox).</param>
    public OsdpReaderEvents(OsdpReaderOptions options, IEventSink sink, CardPrivacy privacy, TimeProvider time, Action<byte, byte[]> send, ISourceCursors? cursors)
    {
        _options = options;
        _sink = sink;
        _privacy = privacy;
        _time = time;
        _send = send;
        _door = options.DoorContactInput is null ? null : new DoorStateMachine(options.UnlockFor, options.HeldOpenAfter);
        _resume = _door is null ? null : DoorEvents.Alarm(cursors, options.DoorDevice.Id);
    }

    /// <summary>True when a door is wired to the reader's inputs: its inputs are asked for at the start of a session.</summary>
    public bool WatchesDoor => _door is not null;

    /// <summary>Keypad keys received.</summary>
    public long Keys => Interlocked.Read(ref _keys);

    /// <summary>Takes one reply; false when it is a report that does not add up (counted as a bad reply).</summary>
    public async Task<bool> HandleAsync(OsdpPacket reply, OsdpCapabilities capabilities, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var data = reply.Data;
        switch (reply.Code)
        {
            case OsdpReply.Raw:
                if (OsdpReports.RawBits(data.Span) is not { } bits)
                {
                    return false;
                }

                await CardAsync(WiegandDecoder.Decode(bits, _options.Format37), now, ct).ConfigureAwait(false);
                break;
            case OsdpReply.Formatted:
                if (OsdpReports.FormattedNumber(data.Span) is not { } number)
                {
                    return false;
                }

                await _sink.SubmitAsync(CardEvents.Card(_options.Device, _options.Door, CardEvents.TextFormat, null, number, _privacy, now), ct).ConfigureAwait(false);
                break;
            case OsdpReply.Keypad when data.Length >= 2 && data.Span[1] <= data.Length - 2:
                Interlocked.Add(ref _keys, data.Span[1]);
                break;
            case OsdpReply.LocalStatus when data.Length >= 2:
                await LocalStatusAsync(data.Span[0] != 0, data.Span[1] != 0, now, ct).ConfigureAwait(false);
                break;
            case OsdpReply.InputStatus when _door is not null:
                await InputsAsync(data.ToArray(), now, capabilities, ct).ConfigureAwait(false);
                break;
        }

        return true;
    }

    /// <summary>The door's timers (unlock window, held open), checked after every exchange up to <paramref name="knownUntil"/>, the reader's last reply.</summary>
    public Task TickAsync(OsdpCapabilities capabilities, DateTimeOffset knownUntil, CancellationToken ct) =>
        _door is null ? Task.CompletedTask : DoorAsync(_door.Tick(knownUntil), capabilities, ct);

    private async Task CardAsync(WiegandRead read, DateTimeOffset now, CancellationToken ct)
    {
        var draft = read.IsCard
            ? CardEvents.Card(_options.Device, _options.Door, read, _privacy, now)
            : new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, now, new JsonObject { ["fault"] = "card-format", ["error"] = read.Error });
        await _sink.SubmitAsync(draft, ct).ConfigureAwait(false);
    }

    /// <summary>osdp_LSTATR: the case and the power supply, each raised when it goes wrong and restored when it is right again.</summary>
    private async Task LocalStatusAsync(bool tamper, bool powerFailed, DateTimeOffset now, CancellationToken ct)
    {
        if (tamper != _tamper)
        {
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceTamper, Priority.High, _options.Device, Condition(tamper), now,
                new JsonObject { ["via"] = "osdp" }), ct).ConfigureAwait(false);
        }

        if (powerFailed != _powerFailed)
        {
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, Condition(powerFailed), now,
                new JsonObject { ["fault"] = "power", ["via"] = "osdp" }), ct).ConfigureAwait(false);
        }

        _tamper = tamper;
        _powerFailed = powerFailed;
    }

    private static EventState Condition(bool active) => active ? EventState.Active : EventState.Restored;

    /// <summary>
    /// The reader's inputs: the first report ever only tells how the door is (no event, but the alarm kept over a restart
    /// is taken back); later ones drive the door. A release or a request to exit in the same report as the opening is
    /// taken first.
    /// </summary>
    private async Task InputsAsync(byte[] inputs, DateTimeOffset now, OsdpCapabilities capabilities, CancellationToken ct)
    {
        var before = _inputs;
        _inputs = inputs;
        bool Active(byte[] state, int? input) => input is { } i && i < state.Length && state[i] != 0;
        if (before is null)
        {
            await DoorAsync(_door!.Resume(_resume, Active(inputs, _options.DoorContactInput), now), capabilities, ct).ConfigureAwait(false);
            return;
        }

        if (Active(inputs, _options.ReleaseInput) && !Active(before, _options.ReleaseInput))
        {
            _door!.Granted(now);
        }

        if (Active(inputs, _options.RequestToExitInput) && !Active(before, _options.RequestToExitInput))
        {
            _door!.RequestToExit(now);
        }

        await DoorAsync(_door!.Contact(Active(inputs, _options.DoorContactInput), now), capabilities, ct).ConfigureAwait(false);
    }

    private async Task DoorAsync(IReadOnlyList<DoorSignal> signals, OsdpCapabilities capabilities, CancellationToken ct)
    {
        foreach (var (signal, draft) in signals.Zip(DoorEvents.Drafts(signals, _door!, _options.DoorDevice, "osdp")))
        {
            await _sink.SubmitAsync(draft, ct).ConfigureAwait(false);
            if (!_options.Annunciate)
            {
                continue;
            }

            // The door itself says so: the reader flashes red and sounds while the door is forced or held open.
            var alarm = signal.Kind is DoorSignalKind.Forced or DoorSignalKind.HeldOpen;
            if (alarm || signal.Kind is DoorSignalKind.ForcedRestored or DoorSignalKind.HeldOpenRestored)
            {
                if (capabilities.Led)
                {
                    _send(OsdpCommand.Led, OsdpOutputs.Led(alarm ? OsdpOutputs.Red : OsdpOutputs.Black, flash: alarm));
                }

                if (capabilities.Buzzer)
                {
                    _send(OsdpCommand.Buzzer, OsdpOutputs.Buzzer(alarm));
                }
            }
        }
    }
}
