using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Isapi;

/// <summary>
/// One access controller's events, each taken once and in order, whether the alert stream brings them or not: its
/// cursor (the serial number of the last event taken, committed with it in the outbox), and what its event log holds
/// that the stream did not bring. The rules are in Isapi/README.md.
/// </summary>
public sealed partial class IsapiCatchUp
{
    /// <summary>The most events read from a controller's log in one go; older ones beyond it are skipped and counted.</summary>
    public const int MaxCatchUp = 10_000;

    private readonly string _controller;
    private readonly IsapiClient _client;
    private readonly Func<IsapiAccessEvent, DateTimeOffset?, CancellationToken, Task> _take;
    private readonly IsapiCatchUpCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    /// <summary>True once this connection has seen the log hold the cursor's event: the numbering is the same.</summary>
    private bool _sameNumbering;

    /// <param name="controller">The controller's id, for the log.</param>
    /// <param name="cursor">The serial number of the last event taken from the controller, as committed; null before the first contact.</param>
    /// <param name="take">Takes one event, streamed or read from the log, in serial order.</param>
    public IsapiCatchUp(string controller, IsapiClient client, long? cursor, Func<IsapiAccessEvent, DateTimeOffset?, CancellationToken, Task> take,
        IsapiCatchUpCounters counters, TimeProvider time, ILogger log)
    {
        _controller = controller;
        _client = client;
        Cursor = cursor;
        _take = take;
        _counters = counters;
        _time = time;
        _log = log;
    }

    /// <summary>The serial number of the last event taken from the controller; null before the first contact.</summary>
    public long? Cursor { get; private set; }

    /// <summary>
    /// The stream is open: where does the controller's log stand? Whatever it holds past the cursor happened while the
    /// gateway was not listening. Without a cursor (no event taken from this controller yet) there is nothing to catch
    /// up with: the first event the stream brings sets it, and history before that is not the station's news.
    /// </summary>
    public async Task OnConnectedAsync(CancellationToken ct)
    {
        _sameNumbering = false;
        if (Cursor is not { } cursor || await _client.SearchLogAsync(IsapiAccessLog.Newest(), ct).ConfigureAwait(false) is not { } newest)
        {
            return;
        }

        var end = newest.Events.Count > 0 ? newest.Events.Max(e => e.Access.SerialNo!.Value) : 0;
        if (end > cursor)
        {
            await ReadLogAsync(cursor + 1, end, ct).ConfigureAwait(false);
            return;
        }

        if (end == cursor)
        {
            return;
        }

        // A log does not go backwards: either the firmware ignored the newest-first order, or the controller numbers
        // its events afresh (reset or replaced), and what it logged since happened while the gateway was away.
        switch (await NumberingAsync(cursor, ct).ConfigureAwait(false))
        {
            case Numbering.Same:
                await ReadLogAsync(cursor + 1, cursor + MaxCatchUp, ct).ConfigureAwait(false);
                break;
            case Numbering.Afresh:
                LogRenumbered(_controller, cursor, end);
                Cursor = 0;
                await ReadLogAsync(1, end, ct).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>An event the alert stream brought: dropped when taken already, taken after any gap it leaves is read from the log.</summary>
    public async Task OnStreamedAsync(IsapiAccessEvent access, DateTimeOffset? at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (access.SerialNo is not { } serial)
        {
            await _take(access, at, ct).ConfigureAwait(false);
            return;
        }

        if (Cursor is not { } cursor)
        {
            // No event taken yet: history the controller replays is not news.
            if (access.Current == false)
            {
                _counters.Repeated();
                return;
            }
        }
        else if (serial <= cursor)
        {
            // Taken already (a resend, replayed history), unless the controller numbers its events afresh.
            var numbering = access.Current == false ? Numbering.Same : await NumberingAsync(cursor, ct).ConfigureAwait(false);
            if (numbering == Numbering.Same)
            {
                _counters.Repeated();
                return;
            }

            if (numbering == Numbering.Afresh)
            {
                LogRenumbered(_controller, cursor, serial);
                Cursor = 0;
                await FillGapAsync(serial, ct).ConfigureAwait(false);
            }

            // Unknown (the log cannot be read): a resend cannot be told from a new numbering, so the event is taken;
            // at worst the station gets it twice.
        }
        else if (serial > cursor + 1)
        {
            await FillGapAsync(serial, ct).ConfigureAwait(false);
        }

        await TakeAsync(access, at, ct).ConfigureAwait(false);
    }

    private Task TakeAsync(IsapiAccessEvent access, DateTimeOffset? at, CancellationToken ct)
    {
        if (access.SerialNo is { } serial)
        {
            Cursor = serial;
        }

        return _take(access, at, ct);
    }

    /// <summary>
    /// Whether the controller still numbers its events as when the cursor was taken: its log holds the cursor's own
    /// event. Asked once per connection; <see cref="Numbering.Unknown"/> when the log cannot be read.
    /// </summary>
    private async Task<Numbering> NumberingAsync(long cursor, CancellationToken ct)
    {
        if (_sameNumbering)
        {
            return Numbering.Same;
        }

        if (await _client.SearchLogAsync(IsapiAccessLog.Range(cursor, cursor), ct).ConfigureAwait(false) is not { } here)
        {
            return Numbering.Unknown;
        }

        _sameNumbering = here.Events.Any(e => e.Access.SerialNo == cursor);
        return _sameNumbering ? Numbering.Same : Numbering.Afresh;
    }

    /// <summary>
    /// Reads the log from serial <paramref name="from"/> to <paramref name="to"/> and takes each event as if streamed;
    /// false when the log could not be read to the end.
    /// </summary>
    private async Task<bool> ReadLogAsync(long from, long to, CancellationToken ct)
    {
        if (to - from + 1 > MaxCatchUp)
        {
            var skipped = to - from + 1 - MaxCatchUp;
            _counters.SkippedMany(skipped);
            LogSkipped(_controller, skipped);
            from = to - MaxCatchUp + 1;
        }

        var (read, complete) = await ReadPagesAsync(from, to, ct).ConfigureAwait(false);
        if (read > 0)
        {
            LogCaughtUp(_controller, read, from, to);
        }

        return complete;
    }

    private async Task<(int Read, bool Complete)> ReadPagesAsync(long from, long to, CancellationToken ct)
    {
        var read = 0;
        while (from <= to && !ct.IsCancellationRequested)
        {
            if (await _client.SearchLogAsync(IsapiAccessLog.Range(from, to), ct).ConfigureAwait(false) is not { } page)
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

                _counters.RecoveredOne();
                read++;
                await TakeAsync(entry.Access, entry.At, ct).ConfigureAwait(false);
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
    private async Task FillGapAsync(long serial, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var from = Cursor!.Value + 1;
            if (from >= serial || await ReadLogAsync(from, serial - 1, ct).ConfigureAwait(false))
            {
                return;
            }

            if (attempt == 2)
            {
                var missing = serial - 1 - Cursor!.Value;
                _counters.SkippedMany(missing);
                LogGapLost(_controller, missing, serial);
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access controller {Controller}: its events are numbered afresh (serial {Serial} after {Cursor}: reset or replaced); following the new numbering")]
    private partial void LogRenumbered(string controller, long cursor, long serial);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access controller {Controller}: {Count} events the alert stream did not bring read from its log (serials {From} to {To})")]
    private partial void LogCaughtUp(string controller, int count, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access controller {Controller}: {Skipped} logged events missed while the gateway was away are too many to read; the newest are read")]
    private partial void LogSkipped(string controller, long skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access controller {Controller}: {Missing} events before serial {Serial} could not be read from its log after three tries; counted as skipped")]
    private partial void LogGapLost(string controller, long missing, long serial);

    /// <summary>How a controller numbers its events compared with when the cursor was taken.</summary>
    private enum Numbering
    {
        /// <summary>The log cannot be read to tell.</summary>
        Unknown,

        /// <summary>As before: the log holds the cursor's event.</summary>
        Same,

        /// <summary>Afresh (reset or replaced): the log no longer holds the cursor's event.</summary>
        Afresh,
    }
}
