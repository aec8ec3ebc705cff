using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Isapi;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access;

/// <summary>
/// Reads the gateway's ISAPI access controllers into the contract's access, door and device events (Access/README.md).
/// Each controller's events come through its <see cref="IsapiCatchUp"/>, once and in order, including what it logged
/// while the gateway was not listening; codes it does not know are counted, never guessed.
/// </summary>
public sealed partial class AccessControllerAdapter : BackgroundService
{
    private readonly IReadOnlyList<Controller> _controllers;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly CardPrivacy _privacy;
    private readonly ILogger _log;
    private readonly IsapiCatchUpCounters _catchUp = new();
    private long _unknownCodes;

    public AccessControllerAdapter(AccessOptions options, IEventSink sink, CardPrivacy privacy, TimeProvider time, ILoggerFactory loggers,
        ISourceCursors? cursors = null, Func<AccessControllerOptions, HttpMessageHandler?>? handlers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _sink = sink;
        _time = time;
        _log = loggers.CreateLogger<AccessControllerAdapter>();
        _privacy = privacy;
        _controllers = options.Controllers.Select(c =>
        {
            var client = new IsapiClient(new Uri(c.Url), c.User, c.Password, c.SilenceTimeout, time, loggers.CreateLogger<IsapiClient>(), handlers?.Invoke(c));
            var kept = cursors?.Cursor(CursorKey(c.Id));
            var doors = new ControllerDoorAlarms(c);
            doors.Restore(kept?.State);
            Controller? controller = null;
            var catchUp = new IsapiCatchUp(c.Id, client, kept?.Position, (access, at, ct) => TakeAsync(controller!, access, at, ct), _catchUp, time,
                loggers.CreateLogger<IsapiCatchUp>());
            return controller = new Controller(c, client, catchUp, doors);
        }).ToList();
    }

    /// <summary>Access controller events whose codes have no meaning in the contract.</summary>
    public long UnknownCodes => Interlocked.Read(ref _unknownCodes);

    /// <summary>Events dropped because they were taken already (a serial number at or below the controller's cursor).</summary>
    public long Repeats => _catchUp.Repeats;

    /// <summary>Events read from a controller's log because the alert stream did not bring them.</summary>
    public long Recovered => _catchUp.Recovered;

    /// <summary>Logged events not read because more than <see cref="IsapiCatchUp.MaxCatchUp"/> were missed at once, or a gap could not be read.</summary>
    public long Skipped => _catchUp.Skipped;

    /// <summary>The event log counters of all the gateway's controllers, for the heartbeat.</summary>
    public Contracts.Status.AccessLogCounters LogCounters => new(Recovered, Skipped, _controllers.Sum(c => c.Client.LogSearchFailures));

    /// <summary>The ISAPI client of a controller (remote door open, counters).</summary>
    public IsapiClient Client(string controllerId) => _controllers.First(c => c.Options.Id == controllerId).Client;

    /// <summary>The outbox key under which a controller's cursor is committed.</summary>
    public static string CursorKey(string controllerId) => "isapi:" + controllerId;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_controllers.SelectMany(c => new[]
        {
            c.Client.RunAlertStreamAsync(
                (alert, ct) => alert.IsHeartbeat || alert.Access is not { } access ? Task.CompletedTask : c.CatchUp.OnStreamedAsync(access, alert.At, ct),
                stoppingToken, c.CatchUp.OnConnectedAsync),
            new SilenceWatch(c.Options.Device, c.Options.SilenceTimeout, () => c.Client.SinceLastSign, _sink, _time).RunAsync(stoppingToken),
        }));

    /// <summary>One controller event, streamed or read from the log, into the contract's events; its serial number goes with the last of them as the cursor.</summary>
    private async Task TakeAsync(Controller c, IsapiAccessEvent access, DateTimeOffset? at, CancellationToken ct)
    {
        if (IsapiAccessCodes.Of(access.Major, access.Minor) is not { } meaning)
        {
            Interlocked.Increment(ref _unknownCodes);
            LogUnknown(c.Options.Id, access.Major, access.Minor);
            return;
        }

        var door = access.DoorNo is { } no ? c.Options.Doors.FirstOrDefault(d => d.Number == no) : null;
        var device = meaning.Type == EventTypes.DeviceTamper || door is null ? c.Options.Device : door.Device;
        var when = at ?? _time.GetUtcNow();
        var data = new JsonObject { ["controller"] = c.Options.Id, ["code"] = $"{access.Major}/{access.Minor}" };
        // One type for `door` in every event: the door's device id; the controller's own number for it is doorNumber.
        if (door is not null)
        {
            data["door"] = door.Id;
        }

        if (access.DoorNo is { } doorNo)
        {
            data["doorNumber"] = doorNo;
        }

        if (meaning.Reason is { } reason)
        {
            data["reason"] = reason;
        }

        if (!string.IsNullOrEmpty(access.CardNo))
        {
            var card = new JsonObject { ["hash"] = _privacy.Hash("isapi", null, access.CardNo), ["key"] = _privacy.KeyId };
            if (_privacy.RevealRawNumbers)
            {
                card["number"] = access.CardNo;
            }

            data["card"] = card;
        }

        if (door is not null && meaning.Type == EventTypes.DoorClosed)
        {
            // The controller reports a forced or held-open door as such, then a plain close: the alarm ends there.
            foreach (var ended in c.Doors.Take(door.Id))
            {
                await SubmitAsync(ended, ended == EventTypes.DoorForced ? Priority.Critical : Priority.High, door.Device, EventState.Restored, when, data.DeepClone().AsObject(), null, ct).ConfigureAwait(false);
            }
        }
        else if (door is not null && meaning.State == EventState.Active)
        {
            c.Doors.Set(door.Id, meaning.Type);
        }

        // The cursor, with the doors in alarm, goes with the last event made of this one: committed, the controller's
        // event is fully taken, and a restarted gateway still knows which forced door a later close restores.
        var cursor = access.SerialNo is { } taken ? new SourceCursor(CursorKey(c.Options.Id), taken, c.Doors.State()) : (SourceCursor?)null;
        await SubmitAsync(meaning.Type, meaning.Priority, device, meaning.State, when, data, cursor, ct).ConfigureAwait(false);
    }

    private Task SubmitAsync(string type, Priority priority, DeviceRef device, EventState? state, DateTimeOffset at, JsonObject data, SourceCursor? cursor, CancellationToken ct) =>
        _sink.SubmitAsync(new EventDraft(type, priority, device, state, at, data, Cursor: cursor), ct);

    public override void Dispose()
    {
        foreach (var c in _controllers)
        {
            c.Client.Dispose();
        }

        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access controller {Controller}: event code {Major}/{Minor} has no meaning in the contract; not forwarded")]
    private partial void LogUnknown(string controller, int major, int minor);

    private sealed record Controller(AccessControllerOptions Options, IsapiClient Client, IsapiCatchUp CatchUp, ControllerDoorAlarms Doors);
}
