using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Isapi;
using Edge.Gateway.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access;

/// <summary>
/// Reads the gateway's ISAPI access controllers and turns their events into the contract's: access.granted and
/// access.denied (with the card's keyed hash, never its number unless configured), door.opened, door.closed,
/// door.forced and door.held-open (restored when the door closes), device.tamper, and device.offline / device.online
/// when a controller goes silent past its timeout and comes back. Codes it does not know are counted, never guessed.
/// <para>
/// Nothing a controller logs is lost while the gateway is not listening, as long as its log can be read (what cannot be
/// is counted as skipped, in the heartbeat). Each event's serial number is committed with
/// it in the outbox (the controller's cursor). When the alert stream opens, and whenever it skips serial numbers, the
/// events in between are read from the controller's event log, in order, with the times the controller gave them.
/// Events at or below the cursor (a controller that sends again after a reconnect, or replays its history) are
/// dropped, so after a restart nothing is sent twice either; when the log no longer holds the cursor's event, the
/// controller numbers its events afresh (reset or replaced) and what it logged since is read. Only a controller whose
/// log cannot be read at all may see a resend taken twice: an alarm is not dropped on a guess.
/// </para>
/// </summary>
public sealed partial class AccessControllerAdapter : BackgroundService
{
    /// <summary>The most events read from a controller's log in one go; older ones beyond it are skipped and counted.</summary>
    public const int MaxCatchUp = 10_000;

    private readonly IReadOnlyList<Controller> _controllers;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly CardPrivacy _privacy;
    private readonly ILogger _log;

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
            var controller = new Controller(c, new IsapiClient(new Uri(c.Url), c.User, c.Password, c.SilenceTimeout, time,
                loggers.CreateLogger<IsapiClient>(), handlers?.Invoke(c)));
            if (cursors?.Cursor(CursorKey(c.Id)) is { } cursor)
            {
                controller.Cursor = cursor.Position;
                controller.RestoreActive(cursor.State);
            }

            return controller;
        }).ToList();
    }

    /// <summary>Access controller events whose codes have no meaning in the contract.</summary>
    public long UnknownCodes => Interlocked.Read(ref _unknownCodes);

    private long _unknownCodes;
    private long _repeats;
    private long _recovered;
    private long _skipped;

    /// <summary>Events dropped because they were taken already (a serial number at or below the controller's cursor).</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>Events read from a controller's log because the alert stream did not bring them.</summary>
    public long Recovered => Interlocked.Read(ref _recovered);

    /// <summary>Logged events not read because more than <see cref="MaxCatchUp"/> were missed at once.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>The event log counters of all the gateway's controllers, for the heartbeat.</summary>
    public Contracts.Status.AccessLogCounters LogCounters => new(Recovered, Skipped, _controllers.Sum(c => c.Client.LogSearchFailures));

    /// <summary>The ISAPI client of a controller (remote door open, counters).</summary>
    public IsapiClient Client(string controllerId) => _controllers.First(c => c.Options.Id == controllerId).Client;

    /// <summary>The outbox key under which a controller's cursor is committed.</summary>
    public static string CursorKey(string controllerId) => "isapi:" + controllerId;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_controllers.SelectMany(c => new[]
        {
            c.Client.RunAlertStreamAsync((alert, ct) => OnAlertAsync(c, alert, ct), stoppingToken, ct => CatchUpAsync(c, ct)),
            new SilenceWatch(c.Options.Device, c.Options.SilenceTimeout, () => c.Client.SinceLastSign, _sink, _time).RunAsync(stoppingToken),
        }));

    /// <summary>
    /// The stream is open: where does the controller's log stand? Whatever it holds past the cursor happened while the
    /// gateway was not listening. Without a cursor (no event taken from this controller yet) there is nothing to catch
    /// up with: the first event the stream brings sets it, and history before that is not the station's news.
    /// </summary>
    private async Task CatchUpAsync(Controller c, CancellationToken ct)
    {
        c.SameNumbering = false;
        if (c.Cursor is not { } cursor || await c.Client.SearchLogAsync(IsapiAccessLog.Newest(), ct).ConfigureAwait(false) is not { } newest)
        {
            return;
        }

        var end = newest.Events.Count > 0 ? newest.Events.Max(e => e.Access.SerialNo!.Value) : 0;
        if (end > cursor)
        {
            await ReadLogAsync(c, cursor + 1, end, ct).ConfigureAwait(false);
            return;
        }

        if (end == cursor)
        {
            return;
        }

        // A log does not go backwards: either the firmware ignored the newest-first order, or the controller numbers
        // its events afresh (reset or replaced), and what it logged since happened while the gateway was away.
        switch (await NumberingAsync(c, cursor, ct).ConfigureAwait(false))
        {
            case Numbering.Same:
                await ReadLogAsync(c, cursor + 1, cursor + MaxCatchUp, ct).ConfigureAwait(false);
                break;
            case Numbering.Afresh:
                LogRenumbered(c.Options.Id, cursor, end);
                c.Cursor = 0;
                await ReadLogAsync(c, 1, end, ct).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Whether the controller still numbers its events as when the cursor was taken: its log holds the cursor's own
    /// event. Asked once per connection; <see cref="Numbering.Unknown"/> when the log cannot be read.
    /// </summary>
    private static async Task<Numbering> NumberingAsync(Controller c, long cursor, CancellationToken ct)
    {
        if (c.SameNumbering)
        {
            return Numbering.Same;
        }

        if (await c.Client.SearchLogAsync(IsapiAccessLog.Range(cursor, cursor), ct).ConfigureAwait(false) is not { } here)
        {
            return Numbering.Unknown;
        }

        c.SameNumbering = here.Events.Any(e => e.Access.SerialNo == cursor);
        return c.SameNumbering ? Numbering.Same : Numbering.Afresh;
    }

    /// <summary>
    /// Reads the log from serial <paramref name="from"/> to <paramref name="to"/> and takes each event as if streamed;
    /// false when the log could not be read to the end.
    /// </summary>
    private async Task<bool> ReadLogAsync(Controller c, long from, long to, CancellationToken ct)
    {
        if (to - from + 1 > MaxCatchUp)
        {
            var skipped = to - from + 1 - MaxCatchUp;
            Interlocked.Add(ref _skipped, skipped);
            LogSkipped(c.Options.Id, skipped);
            from = to - MaxCatchUp + 1;
        }

        var (read, complete) = await ReadPagesAsync(c, from, to, ct).ConfigureAwait(false);
        if (read > 0)
        {
            LogCaughtUp(c.Options.Id, read, from, to);
        }

        return complete;
    }

    private async Task<(int Read, bool Complete)> ReadPagesAsync(Controller c, long from, long to, CancellationToken ct)
    {
        var read = 0;
        while (from <= to && !ct.IsCancellationRequested)
        {
            if (await c.Client.SearchLogAsync(IsapiAccessLog.Range(from, to), ct).ConfigureAwait(false) is not { } page)
            {
                return (read, false);
            }

            // Serial numbers only go up within the range asked for; anything else is skipped (a confused device).
            var next = from;
            foreach (var entry in page.Events.OrderBy(e => e.Access.SerialNo))
            {
                var serial = entry.Access.SerialNo!.Value;
                if (serial < next || serial > to)
                {
                    continue;
                }

                Interlocked.Increment(ref _recovered);
                read++;
                await TakeAsync(c, entry.Access, entry.At, ct).ConfigureAwait(false);
                next = serial + 1;
            }

            if (!page.More)
            {
                return (read, true);
            }

            if (next == from)
            {
                // "More", but nothing new in the range: the device is confused; what is left is not to be had.
                return (read, false);
            }

            from = next;
        }

        return (read, from > to);
    }

    /// <summary>
    /// The stream skipped from the cursor to <paramref name="serial"/>: the log has what lies between. A log that cannot
    /// be read is tried twice more, a second apart; what is still missing then is counted as skipped and logged, and the
    /// streamed event is taken all the same (an alarm is not held back for a gap).
    /// </summary>
    private async Task FillGapAsync(Controller c, long serial, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var from = c.Cursor!.Value + 1;
            if (from >= serial || await ReadLogAsync(c, from, serial - 1, ct).ConfigureAwait(false))
            {
                return;
            }

            if (attempt == 2)
            {
                var missing = serial - 1 - c.Cursor!.Value;
                Interlocked.Add(ref _skipped, missing);
                LogGapLost(c.Options.Id, missing, serial);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
        }
    }

    private async Task OnAlertAsync(Controller c, IsapiAlert alert, CancellationToken ct)
    {
        if (alert.IsHeartbeat || alert.Access is not { } access)
        {
            return;
        }

        if (access.SerialNo is not { } serial)
        {
            await TakeAsync(c, access, alert.At, ct).ConfigureAwait(false);
            return;
        }

        if (c.Cursor is not { } cursor)
        {
            // No event taken yet: history the controller replays is not news.
            if (access.Current == false)
            {
                Interlocked.Increment(ref _repeats);
                return;
            }
        }
        else if (serial <= cursor)
        {
            // Taken already (a resend, replayed history), unless the controller numbers its events afresh.
            var numbering = access.Current == false ? Numbering.Same : await NumberingAsync(c, cursor, ct).ConfigureAwait(false);
            if (numbering == Numbering.Same)
            {
                Interlocked.Increment(ref _repeats);
                return;
            }

            if (numbering == Numbering.Afresh)
            {
                LogRenumbered(c.Options.Id, cursor, serial);
                c.Cursor = 0;
                await FillGapAsync(c, serial, ct).ConfigureAwait(false);
            }

            // Unknown (the log cannot be read): a resend cannot be told from a new numbering, so the event is taken;
            // at worst the station gets it twice.
        }
        else if (serial > cursor + 1)
        {
            await FillGapAsync(c, serial, ct).ConfigureAwait(false);
        }

        await TakeAsync(c, access, alert.At, ct).ConfigureAwait(false);
    }

    /// <summary>One controller event, streamed or read from the log, into the contract's events; its serial number becomes the cursor.</summary>
    private async Task TakeAsync(Controller c, IsapiAccessEvent access, DateTimeOffset? at, CancellationToken ct)
    {
        if (access.SerialNo is { } serial)
        {
            c.Cursor = serial;
        }

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
        if (access.DoorNo is { } doorNo)
        {
            data["door"] = doorNo;
        }

        if (meaning.Reason is { } reason)
        {
            data["reason"] = reason;
        }

        if (!string.IsNullOrEmpty(access.CardNo))
        {
            var card = new JsonObject { ["hash"] = _privacy.Hash("isapi", null, access.CardNo) };
            if (_privacy.RevealRawNumbers)
            {
                card["number"] = access.CardNo;
            }

            data["card"] = card;
        }

        if (door is not null && meaning.Type == EventTypes.DoorClosed)
        {
            // The controller reports a forced or held-open door as such, then a plain close: the alarm ends there.
            foreach (var ended in c.TakeActive(door.Id))
            {
                await SubmitAsync(ended, ended == EventTypes.DoorForced ? Priority.Critical : Priority.High, door.Device, EventState.Restored, when, data.DeepClone().AsObject(), null, ct).ConfigureAwait(false);
            }
        }
        else if (door is not null && meaning.State == EventState.Active)
        {
            c.SetActive(door.Id, meaning.Type);
        }

        // The cursor, with the doors in alarm, goes with the last event made of this one: committed, the controller's
        // event is fully taken, and a restarted gateway still knows which forced door a later close restores.
        var cursor = access.SerialNo is { } taken ? new SourceCursor(CursorKey(c.Options.Id), taken, c.ActiveState()) : (SourceCursor?)null;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access controller {Controller}: its events are numbered afresh (serial {Serial} after {Cursor}: reset or replaced); following the new numbering")]
    private partial void LogRenumbered(string controller, long cursor, long serial);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access controller {Controller}: {Count} events the alert stream did not bring read from its log (serials {From} to {To})")]
    private partial void LogCaughtUp(string controller, int count, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access controller {Controller}: {Skipped} logged events missed while the gateway was away are too many to read; the newest are read")]
    private partial void LogSkipped(string controller, long skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access controller {Controller}: {Missing} events before serial {Serial} could not be read from its log after three tries; counted as skipped")]
    private partial void LogGapLost(string controller, long missing, long serial);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access controller {Controller}: event code {Major}/{Minor} has no meaning in the contract; not forwarded")]
    private partial void LogUnknown(string controller, int major, int minor);

    private sealed class Controller(AccessControllerOptions options, IsapiClient client)
    {
        private readonly Dictionary<string, HashSet<string>> _active = [];

        public AccessControllerOptions Options { get; } = options;

        public IsapiClient Client { get; } = client;

        /// <summary>The serial number of the last event taken from the controller; null before the first contact.</summary>
        public long? Cursor { get; set; }

        /// <summary>True once this connection has seen the log hold the cursor's event: the numbering is the same.</summary>
        public bool SameNumbering { get; set; }

        public void SetActive(string door, string type)
        {
            if (!_active.TryGetValue(door, out var set))
            {
                _active[door] = set = [];
            }

            set.Add(type);
        }

        public IEnumerable<string> TakeActive(string door)
        {
            if (!_active.Remove(door, out var set))
            {
                return [];
            }

            return set.Order(StringComparer.Ordinal).ToList();
        }

        /// <summary>The doors in alarm as kept with the cursor (JSON: door id to alarm types), null when none is.</summary>
        public string? ActiveState() => _active.Count == 0
            ? null
            : JsonSerializer.Serialize(_active.OrderBy(a => a.Key, StringComparer.Ordinal)
                .ToDictionary(a => a.Key, a => a.Value.Order(StringComparer.Ordinal).ToArray()));

        /// <summary>Takes back the doors in alarm kept with the cursor; of a state that does not read, only the doors configured and the alarms known.</summary>
        public void RestoreActive(string? state)
        {
            if (state is null)
            {
                return;
            }

            Dictionary<string, string[]>? doors;
            try
            {
                doors = JsonSerializer.Deserialize<Dictionary<string, string[]>>(state);
            }
            catch (JsonException)
            {
                return;
            }

            foreach (var (door, types) in doors ?? [])
            {
                if (Options.Doors.Any(d => d.Id == door))
                {
                    foreach (var type in types ?? [])
                    {
                        if (type is EventTypes.DoorForced or EventTypes.DoorHeldOpen)
                        {
                            SetActive(door, type);
                        }
                    }
                }
            }
        }
    }
}

/// <summary>How a controller numbers its events compared with when the cursor was taken.</summary>
internal enum Numbering
{
    /// <summary>The log cannot be read to tell.</summary>
    Unknown,

    /// <summary>As before: the log holds the cursor's event.</summary>
    Same,

    /// <summary>Afresh (reset or replaced): the log no longer holds the cursor's event.</summary>
    Afresh,
}
