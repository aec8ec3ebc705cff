using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.Isapi;

/// <summary>One event of a controller's log, with the time the controller gave it.</summary>
public sealed record IsapiLogEntry(IsapiAccessEvent Access, DateTimeOffset? At);

/// <summary>
/// One page of a controller's event log search. <paramref name="More"/> is the controller's "MORE": there is more
/// to read past the last event of this page.
/// </summary>
public sealed record IsapiLogPage(bool More, IReadOnlyList<IsapiLogEntry> Events);

/// <summary>
/// The access controller's event log, searched by serial number (<c>POST /ISAPI/AccessControl/AcsEvent?format=json</c>
/// with an <c>AcsEventCond</c>): how the gateway reads what happened while it was not listening to the alert stream.
/// Controllers serve at most 30 events a page; each page is a fresh search from the serial after the last one read,
/// which controllers that forget a search between requests answer too.
/// </summary>
public static class IsapiAccessLog
{
    public const string Path = "ISAPI/AccessControl/AcsEvent?format=json";

    /// <summary>The most events a controller returns for one search.</summary>
    public const int PageSize = 30;

    /// <summary>Serial numbers above this are not believed (Hikvision's go to 3,000,000,000): arithmetic on them stays far from overflow.</summary>
    public const long MaxSerial = 1L << 40;

    /// <summary>A serial number as a controller gives it, if it is one: from 1 to <see cref="MaxSerial"/>.</summary>
    public static long? Serial(long? value) => value is >= 1 and <= MaxSerial ? value : null;

    /// <summary>The search for events with serial numbers from <paramref name="from"/> to <paramref name="to"/>, oldest first.</summary>
    public static string Range(long from, long to) => Condition(PageSize, newestFirst: false, from, to);

    /// <summary>The search for the controller's newest event (its serial number is where the log stands).</summary>
    public static string Newest() => Condition(1, newestFirst: true, null, null);

    private static string Condition(int max, bool newestFirst, long? from, long? to)
    {
        var condition = new JsonObject
        {
            ["searchID"] = Guid.NewGuid().ToString("N"),
            ["searchResultPosition"] = 0,
            ["maxResults"] = max,
            ["major"] = 0,
            ["minor"] = 0,
            ["timeReverseOrder"] = newestFirst,
        };
        if (from is { } begin)
        {
            condition["beginSerialNo"] = begin;
        }

        if (to is { } end)
        {
            condition["endSerialNo"] = end;
        }

        return new JsonObject { ["AcsEventCond"] = condition }.ToJsonString();
    }

    /// <summary>
    /// Parses a search's answer. "NO MATCH" is an empty page. False with a reason when the answer is not a search
    /// result; entries without a serial number or with codes that are not numbers are skipped, not guessed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out IsapiLogPage? page, out string? error)
    {
        page = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("AcsEvent", out var result) || result.ValueKind != JsonValueKind.Object)
            {
                error = "no AcsEvent object";
                return false;
            }

            var status = result.TryGetProperty("responseStatusStrg", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            var entries = new List<IsapiLogEntry>();
            if (result.TryGetProperty("InfoList", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (Entry(item) is { } entry)
                    {
                        entries.Add(entry);
                    }
                }
            }

            page = new IsapiLogPage(string.Equals(status, "MORE", StringComparison.OrdinalIgnoreCase), entries);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not UTF-8.
            error = ex.Message;
            return false;
        }
    }

    private static IsapiLogEntry? Entry(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || Code(IsapiAlert.Long(item, "major")) is not { } major
            || Code(IsapiAlert.Long(item, "minor")) is not { } minor
            || Serial(IsapiAlert.Long(item, "serialNo")) is not { } serial)
        {
            return null;
        }

        var door = Code(IsapiAlert.Long(item, "doorNo"));
        var card = item.TryGetProperty("cardNo", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        var time = item.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String ? IsapiAlert.Time(t.GetString()) : null;
        return new IsapiLogEntry(new IsapiAccessEvent(major, minor, string.IsNullOrEmpty(card) ? null : card, door, serial, name), time);

        static int? Code(long? value) => value is >= 0 and <= int.MaxValue ? (int)value.Value : null;
    }
}
