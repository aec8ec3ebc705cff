using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Simulator.Devices;

/// <summary>
/// One simulated ISAPI access controller: what it sends on its alert stream, its event log (searched by serial number
/// at <c>ISAPI/AccessControl/AcsEvent</c>), and the remote opens it received. Every event is logged first; the stream
/// gets it when a gateway is reading, or later when the controller holds events for the next reader.
/// </summary>
public sealed class SimController(string user, string password) : SimIsapiDevice(user, password)
{
    /// <summary>Events the log keeps; older ones are overwritten, as on a controller.</summary>
    public const int LogCapacity = 100_000;

    private readonly Lock _lock = new();
    private readonly List<Logged> _log = [];
    private long _serial;
    private int _searches;

    public ConcurrentQueue<int> RemoteOpens { get; } = new();

    /// <summary>Raised when the remote control opens a door (its number), before the controller logs and sends it.</summary>
    public event Action<int>? RemoteOpened;

    /// <summary>
    /// The remote control opened a door (<c>PUT ISAPI/AccessControl/RemoteControl/door/{n}</c>): the lock is released and
    /// the controller logs it as Hikvision does, an operation (major 3) "remote: open door" (minor 0x400).
    /// </summary>
    public void RemoteOpen(int door)
    {
        RemoteOpened?.Invoke(door);
        RemoteOpens.Enqueue(door);
        Send(3, 0x400, door);
    }

    /// <summary>
    /// True: events that happen while no gateway reads the alert stream are only logged (what most controllers do).
    /// False (the default): they wait for the next reader, as on firmware that retransmits.
    /// </summary>
    public bool LiveOnly { get; set; }

    /// <summary>Firmware that ignores <c>timeReverseOrder</c>: searches always answer oldest first.</summary>
    public bool IgnoresReverseOrder { get; set; }

    /// <summary>When set, log searches are answered with these bytes instead (a broken controller).</summary>
    public byte[]? BrokenLog { get; set; }

    /// <summary>Log searches answered.</summary>
    public int LogSearches => Volatile.Read(ref _searches);

    /// <summary>Sends an access controller event (Hikvision major/minor code) about a door and, for card events, a card.</summary>
    public long Send(int major, int minor, int door, string? cardNo = null) => Happen(major, minor, door, cardNo, push: true);

    /// <summary>An event the controller logs without sending it on the stream (firmware pushes only some kinds).</summary>
    public long LogOnly(int major, int minor, int door, string? cardNo = null) => Happen(major, minor, door, cardNo, push: false);

    private long Happen(int major, int minor, int door, string? cardNo, bool push)
    {
        lock (_lock)
        {
            var e = new Logged(++_serial, major, minor, door, cardNo, DateTimeOffset.UtcNow);
            _log.Add(e);
            if (_log.Count > LogCapacity + LogCapacity / 10)
            {
                _log.RemoveRange(0, _log.Count - LogCapacity);
            }

            if (push && (!LiveOnly || Streaming))
            {
                Enqueue(Alert(e, current: true));
            }

            return e.Serial;
        }
    }

    /// <summary>
    /// Sends the last <paramref name="count"/> logged events again: marked as history (<c>currentEvent</c> false), as
    /// some firmware does on connect, or not marked at all, as a plain resend.
    /// </summary>
    public void ReplayHistory(int count, bool markedAsHistory = true)
    {
        lock (_lock)
        {
            foreach (var e in _log.TakeLast(count))
            {
                Enqueue(Alert(e, current: !markedAsHistory));
            }
        }
    }

    /// <summary>A factory reset: the log is empty and events are numbered from 1 again.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _log.Clear();
            _serial = 0;
        }
    }

    private static byte[] Alert(Logged e, bool current)
    {
        var access = new JsonObject
        {
            ["majorEventType"] = e.Major, ["subEventType"] = e.Minor, ["doorNo"] = e.Door, ["serialNo"] = e.Serial, ["currentEvent"] = current,
        };
        if (e.CardNo is not null)
        {
            access["cardNo"] = e.CardNo;
            access["cardType"] = 1;
        }

        var alert = new JsonObject
        {
            ["ipAddress"] = "10.20.0.15", ["portNo"] = 80, ["protocol"] = "HTTP", ["channelID"] = 1,
            ["dateTime"] = e.At.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture), ["activePostCount"] = 1,
            ["eventType"] = "AccessControllerEvent", ["eventState"] = "active", ["eventDescription"] = "Access Controller Event",
            ["AccessControllerEvent"] = access,
        };
        return IsapiAlertStream.Part("application/json", Encoding.UTF8.GetBytes(alert.ToJsonString()));
    }

    /// <summary>
    /// Answers an <c>AcsEventCond</c> search: events between <c>beginSerialNo</c> and <c>endSerialNo</c>, oldest first
    /// (newest first with <c>timeReverseOrder</c>), from <c>searchResultPosition</c>, at most 30; "MORE" when more
    /// remain, "NO MATCH" when none. Null when the request is not a search.
    /// </summary>
    internal byte[]? Search(byte[] request)
    {
        try
        {
            return Answer(request);
        }
        finally
        {
            // Counted once answered: a test that waits for a search knows the log was read.
            Interlocked.Increment(ref _searches);
        }
    }

    private byte[]? Answer(byte[] request)
    {
        if (BrokenLog is { } broken)
        {
            return broken;
        }

        JsonNode? cond;
        try
        {
            cond = JsonNode.Parse(request)?["AcsEventCond"];
        }
        catch (JsonException)
        {
            return null;
        }

        if (cond is not JsonObject)
        {
            return null;
        }

        long? Number(string name) => cond[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;
        var from = Number("beginSerialNo") ?? long.MinValue;
        var to = Number("endSerialNo") ?? long.MaxValue;
        var position = (int)Math.Clamp(Number("searchResultPosition") ?? 0, 0, int.MaxValue);
        var max = (int)Math.Clamp(Number("maxResults") ?? 30, 1, 30);
        var reverse = !IgnoresReverseOrder && cond["timeReverseOrder"] is JsonValue r && r.TryGetValue<bool>(out var b) && b;
        List<Logged> matches;
        lock (_lock)
        {
            matches = _log.Where(e => e.Serial >= from && e.Serial <= to).ToList();
        }

        if (reverse)
        {
            matches.Reverse();
        }

        var page = matches.Skip(position).Take(max).ToList();
        var list = new JsonArray();
        foreach (var e in page)
        {
            var item = new JsonObject
            {
                ["major"] = e.Major, ["minor"] = e.Minor, ["time"] = e.At.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture),
                ["doorNo"] = e.Door, ["serialNo"] = e.Serial, ["currentVerifyMode"] = "cardOrFaceOrFp",
            };
            if (e.CardNo is not null)
            {
                item["cardNo"] = e.CardNo;
                item["cardType"] = 1;
            }

            list.Add(item);
        }

        var status = page.Count == 0 ? "NO MATCH" : position + page.Count < matches.Count ? "MORE" : "OK";
        var answer = new JsonObject
        {
            ["AcsEvent"] = new JsonObject
            {
                ["searchID"] = cond["searchID"]?.DeepClone(), ["totalMatches"] = matches.Count, ["responseStatusStrg"] = status,
                ["numOfMatches"] = page.Count, ["InfoList"] = list,
            },
        };
        return Encoding.UTF8.GetBytes(answer.ToJsonString());
    }

    private sealed record Logged(long Serial, int Major, int Minor, int Door, string? CardNo, DateTimeOffset At);
}
