using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Edge.Gateway.Isapi;

/// <summary>
/// An access controller's event inside an alert or its event log: Hikvision major and minor codes, what they concern,
/// and the controller's serial number for it. <paramref name="Current"/> is false for history a controller replays
/// (<c>currentEvent</c>), null when it does not say.
/// </summary>
public sealed record IsapiAccessEvent(int Major, int Minor, string? CardNo, int? DoorNo, long? SerialNo, string? Name, bool? Current = null);

/// <summary>
/// One <c>EventNotificationAlert</c> of an ISAPI alert stream (XML or JSON part): the event type (vmd, linedetection,
/// fielddetection, tamperdetection, shelteralarm, videoloss, io, AccessControllerEvent, heartBeat), its state, time,
/// channel and the sender, plus the access controller's event when there is one.
/// </summary>
public sealed record IsapiAlert(string EventType, bool Active, DateTimeOffset? At, int? Channel, string? IpAddress, IsapiAccessEvent? Access)
{
    public bool IsHeartbeat => EventType.Equals("heartBeat", StringComparison.OrdinalIgnoreCase);

    private static readonly XmlReaderSettings Safe = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1_000_000 };

    /// <summary>Parses a part's body as XML or JSON; false with a reason when it is neither, or not an alert.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, string? contentType, out IsapiAlert? alert, out string? error)
    {
        alert = null;
        var text = body.TrimStart(" \t\r\n"u8);
        try
        {
            if (text.Length > 0 && text[0] == (byte)'{')
            {
                alert = FromJson(text);
            }
            else if (text.Length > 0 && text[0] == (byte)'<')
            {
                alert = FromXml(text.ToArray());
            }
            else
            {
                error = $"neither XML nor JSON ({contentType ?? "no content type"})";
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or XmlException or FormatException or InvalidOperationException or OverflowException)
        {
            error = ex.Message;
            return false;
        }

        error = alert is null ? "no eventType" : null;
        return alert is not null;
    }

    private static IsapiAlert? FromJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        // An empty or blank type names nothing: the alert is refused like one without it (found by fuzzing).
        if (root.ValueKind != JsonValueKind.Object || String(root, "eventType")?.Trim() is not { Length: > 0 } type)
        {
            return null;
        }

        IsapiAccessEvent? access = null;
        if (root.TryGetProperty("AccessControllerEvent", out var a) && a.ValueKind == JsonValueKind.Object)
        {
            access = new IsapiAccessEvent(Int(a, "majorEventType") ?? 0, Int(a, "subEventType") ?? 0, String(a, "cardNo"),
                Int(a, "doorNo"), IsapiAccessLog.Serial(Long(a, "serialNo")), String(a, "name"), Bool(a, "currentEvent") ?? Bool(root, "currentEvent"));
        }

        return new IsapiAlert(type, !string.Equals(String(root, "eventState"), "inactive", StringComparison.OrdinalIgnoreCase),
            Time(String(root, "dateTime")), Int(root, "channelID"), String(root, "ipAddress"), access);

        static string? String(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Number => v.GetRawText(), _ => null } : null;

        static int? Int(JsonElement e, string name) => Long(e, name) is { } n and >= int.MinValue and <= int.MaxValue ? (int)n : null;
    }

    internal static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.Number ? v.TryGetInt64(out var n)
            : v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) ? n : null;

    internal static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
            _ => null,
        } : null;

    private static IsapiAlert? FromXml(byte[] xml)
    {
        using var stream = new MemoryStream(xml);
        using var reader = XmlReader.Create(stream, Safe);
        var root = XDocument.Load(reader).Root;
        if (root is null || root.Name.LocalName != "EventNotificationAlert" || Value(root, "eventType") is not { Length: > 0 } type)
        {
            return null;
        }

        IsapiAccessEvent? access = null;
        if (root.Elements().FirstOrDefault(e => e.Name.LocalName == "AccessControllerEvent") is { } a)
        {
            access = new IsapiAccessEvent(Int(a, "majorEventType") ?? 0, Int(a, "subEventType") ?? 0, Value(a, "cardNo"),
                Int(a, "doorNo"), IsapiAccessLog.Serial(long.TryParse(Value(a, "serialNo"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var serial) ? serial : null),
                Value(a, "name"), bool.TryParse(Value(a, "currentEvent") ?? Value(root, "currentEvent"), out var current) ? current : null);
        }

        return new IsapiAlert(type, !string.Equals(Value(root, "eventState"), "inactive", StringComparison.OrdinalIgnoreCase),
            Time(Value(root, "dateTime")), Int(root, "channelID") ?? Int(root, "dynChannelID"), Value(root, "ipAddress"), access);

        static string? Value(XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name)?.Value.Trim();

        static int? Int(XElement e, string name) =>
            int.TryParse(Value(e, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    internal static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
