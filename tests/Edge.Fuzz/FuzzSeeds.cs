using System.Text;
using Edge.Contracts.Commands;
using Edge.Gateway.Access.Osdp;
using Edge.Gateway.Hardware.Bridge;

namespace Edge.Fuzz;

/// <summary>
/// The seed corpus: for each target, well-formed inputs as the real devices and the station send them, from which
/// afl-fuzz mutates. Written once by <c>edge-fuzz seeds</c> into tests/Edge.Fuzz/corpus; inputs the fuzzer found to
/// break a parser are kept beside them, and the test suite replays them all.
/// </summary>
public static class FuzzSeeds
{
    public static IEnumerable<(string Target, IReadOnlyList<byte[]> Seeds)> All()
    {
        yield return ("osdp-frame", OsdpFrames());
        yield return ("osdp-reply", OsdpReplies());
        yield return ("osdp-secure", OsdpSecure());
        yield return ("isapi-multipart", IsapiMultipart());
        yield return ("isapi-alert", IsapiAlerts());
        yield return ("isapi-log", [Utf8(IsapiLogPage)]);
        yield return ("onvif", Onvif());
        yield return ("bridge", Bridge());
        yield return ("command", Commands());
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly byte[] RawCard = [0, 1, 26, 0, 0x2A, 0x96, 0x3C, 0x40];

    private static List<byte[]> OsdpFrames()
    {
        var poll = OsdpCodec.Encode(new OsdpPacket(1, false, 1, OsdpCommand.Poll, Array.Empty<byte>()));
        var ack = OsdpCodec.Encode(new OsdpPacket(1, true, 1, 0x40, Array.Empty<byte>()));
        var raw = OsdpCodec.Encode(new OsdpPacket(2, true, 2, 0x50, RawCard));
        var checksum = OsdpCodec.Encode(new OsdpPacket(3, true, 3, 0x45, new byte[] { 1, 2, 3 }, UseCrc: false));
        var secure = OsdpCodec.Encode(new OsdpPacket(1, true, 1, 0x76, new byte[32], SecurityBlock: new byte[] { 3, 0x12, 1 }));
        return [poll, ack, raw, checksum, secure, [.. "noise"u8, .. raw, .. ack[..4], .. poll]];
    }

    private static List<byte[]> OsdpReplies() =>
    [
        RawCard,
        [0, 0, 10, .. "0012345678"u8],
        [1, 0, 1, 4, 1, 1, 5, 1, 1, 9, 1, 1],
    ];

    private static List<byte[]> OsdpSecure() =>
    [
        [0, .. OsdpCodec.Encode(new OsdpPacket(1, true, 1, 0x76, new byte[32], SecurityBlock: new byte[] { 3, 0x12, 1 }))],
        [1, .. OsdpCodec.Encode(new OsdpPacket(1, true, 2, 0x40, Array.Empty<byte>(), SecurityBlock: new byte[] { 2, 0x15 }, Mac: new byte[4]))],
        [2, 0x50, .. RawCard, 0xFF, 0x40, 0xFF, 0x53, .. new byte[20]],
    ];

    private const string Boundary = "boundary";

    private static byte[] Part(string contentType, string body, bool withLength) =>
        Utf8($"--{Boundary}\r\nContent-Type: {contentType}\r\n" + (withLength ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : "") + $"\r\n{body}\r\n");

    private static List<byte[]> IsapiMultipart() =>
    [
        [.. Part("application/xml", CameraAlert, withLength: true), .. Part("application/json", AccessAlert, withLength: false)],
        [.. Part("image/jpeg", "\xFF\xD8\xFF\xE0JFIF\xFF\xD9", withLength: true), .. Utf8($"--{Boundary}--\r\n")],
    ];

    private const string CameraAlert =
        "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><ipAddress>10.20.1.21</ipAddress><channelID>1</channelID>" +
        "<dateTime>2026-11-28T08:15:03+08:00</dateTime><eventType>shelteralarm</eventType><eventState>active</eventState></EventNotificationAlert>";

    private const string AccessAlert =
        "{\"ipAddress\":\"10.20.1.30\",\"dateTime\":\"2026-11-28T08:01:02+08:00\",\"eventType\":\"AccessControllerEvent\",\"eventState\":\"active\"," +
        "\"AccessControllerEvent\":{\"majorEventType\":5,\"subEventType\":1,\"cardNo\":\"3355443200\",\"doorNo\":1,\"serialNo\":173444,\"name\":\"住户\"}}";

    private static List<byte[]> IsapiAlerts() =>
    [
        [0, .. Utf8(CameraAlert)],
        [1, .. Utf8(AccessAlert)],
        [0, .. Utf8("<EventNotificationAlert><eventType>heartBeat</eventType><eventState>inactive</eventState></EventNotificationAlert>")],
        [1, .. Utf8("{\"eventType\":\"vmd\",\"eventState\":\"active\",\"channelID\":2}")],
    ];

    private const string IsapiLogPage =
        "{\"AcsEvent\":{\"searchID\":\"a1\",\"totalMatches\":2,\"responseStatusStrg\":\"MORE\",\"numOfMatches\":2,\"InfoList\":[" +
        "{\"major\":5,\"minor\":1,\"time\":\"2026-11-28T08:01:02+08:00\",\"cardNo\":\"3355443200\",\"doorNo\":1,\"serialNo\":173444}," +
        "{\"major\":5,\"minor\":23,\"time\":\"2026-11-28T08:01:09+08:00\",\"doorNo\":1,\"serialNo\":173445}]}}";

    private static byte[] Envelope(string body) => Utf8(SoapHead + body + "</s:Body></s:Envelope>");

    private const string SoapHead = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tt=\"http://www.onvif.org/ver10/schema\" " +
        "xmlns:wsnt=\"http://docs.oasis-open.org/wsn/b-2\" xmlns:tev=\"http://www.onvif.org/ver10/events/wsdl\" xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" " +
        "xmlns:ter=\"http://www.onvif.org/ver10/error\"><s:Body>";

    private static List<byte[]> Onvif() =>
    [
        Envelope(
            "<tev:PullMessagesResponse><tev:CurrentTime>2026-11-28T08:00:10Z</tev:CurrentTime><tev:TerminationTime>2026-11-28T08:01:10Z</tev:TerminationTime>" +
            "<wsnt:NotificationMessage><wsnt:Topic>tns1:RuleEngine/CellMotionDetector/Motion</wsnt:Topic><wsnt:Message><tt:Message PropertyOperation=\"Changed\">" +
            "<tt:Data><tt:SimpleItem Name=\"IsMotion\" Value=\"true\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>" +
            "<wsnt:NotificationMessage><wsnt:Topic>tns1:VideoSource/SignalLoss</wsnt:Topic><wsnt:Message><tt:Message><tt:Data>" +
            "<tt:SimpleItem Name=\"State\" Value=\"false\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage></tev:PullMessagesResponse>"),
        Envelope(
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:UTCDateTime><tt:Time><tt:Hour>8</tt:Hour>" +
            "<tt:Minute>0</tt:Minute><tt:Second>10</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>11</tt:Month><tt:Day>28</tt:Day></tt:Date>" +
            "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"),
        Envelope(
            "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code>" +
            "<s:Reason><s:Text xml:lang=\"en\">Sender not authorized</s:Text></s:Reason></s:Fault>"),
    ];

    private static List<byte[]> Bridge()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_796_150_000_123);
        var lines = new[]
        {
            new BridgeMessage(BridgeMessageKind.Hello, Value: BridgeProtocol.Version, Text: "c001"),
            new BridgeMessage(BridgeMessageKind.Ready),
            new BridgeMessage(BridgeMessageKind.Level, 17, 1, At: at),
            new BridgeMessage(BridgeMessageKind.Adc, 3, 512, At: at),
            new BridgeMessage(BridgeMessageKind.Out, 22, 1),
            new BridgeMessage(BridgeMessageKind.Ping),
            new BridgeMessage(BridgeMessageKind.Pong),
        }.Select(BridgeProtocol.Encode).ToList();
        return [[.. lines.SelectMany(l => l)], .. lines, Utf8("LEVEL 4 0\r\nLEVEL 4 1\n")];
    }

    private static List<byte[]> Commands()
    {
        var issued = FuzzTargets.CommandClock.AddSeconds(-2);
        var seeds = new List<byte[]>();
        for (var t = 0; t < FuzzTargets.TopicTypes.Length - 1; t++)
        {
            var command = new StationCommand(new Guid($"0190f3a0-0000-7000-8000-0000000000{t:00}"), FuzzTargets.TopicTypes[t], "c001", "gw1", "desk-1", issued, issued.AddSeconds(8));
            var jws = CommandJws.Sign(command, "station-2026", FuzzTargets.StationKey);
            seeds.Add([(byte)(t << 1), .. CommandJws.FromBase64Url(jws.Split('.')[1])]);
            seeds.Add([(byte)((t << 1) | 1), .. Encoding.ASCII.GetBytes(jws)]);
        }

        return seeds;
    }
}
