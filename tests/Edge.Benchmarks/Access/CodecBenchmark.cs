using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Edge.Gateway.Access;
using Edge.Gateway.Isapi;
using Edge.Gateway.Access.Osdp;
using Edge.Gateway.Cameras.Onvif;

namespace Edge.Benchmarks.Access;

/// <summary>
/// <c>edge-bench codecs</c>: throughput of the door access codecs on one core: OSDP packets encoded and found again by
/// the frame reader, secure channel messages protected and opened, ISAPI alert stream parts read and parsed, Wiegand
/// frames decoded. A community's 11 or so access devices at rush hour need a few hundred of these a second.
/// </summary>
internal static class CodecBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 1 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        Measure("OSDP encode + frame reader (RAW reply, 16-byte card data)", seconds, Osdp());
        Measure("OSDP secure channel: protect + open a RAW reply (AES-128 MAC + data)", seconds, Secure());
        Measure("OSDP poll cycle: CP command + PD reply over the secure channel", seconds, PollCycle());
        Measure("Wiegand decode (26-bit, parity checked)", seconds, Wiegand());
        Measure("ONVIF PullMessagesResponse (2 notifications): envelope read + messages + topics mapped", seconds, OnvifPull());
        Measure("ISAPI camera alert (XML, Hikvision layout) parsed + mapped", seconds, IsapiCameraAlert());
        Measure("ISAPI event log page (AcsEvent search result, 30 events) parsed; per page", seconds, IsapiLogPage());
        await MeasureAsync("ISAPI alert stream: multipart part read + JSON alert parsed", seconds, 2000).ConfigureAwait(false);
        return 0;
    }

    private static Func<int> Osdp()
    {
        var reader = new OsdpFrameReader(_ => false);
        var packet = new OsdpPacket(0x01, true, 1, OsdpReply.Raw, Convert.FromHexString("00011a0009181cc0" + "00112233445566778899"));
        return () =>
        {
            var bytes = OsdpCodec.Encode(packet);
            return reader.Append(bytes).Count;
        };
    }

    private static (OsdpSecureChannel Cp, OsdpSecureChannel Pd) Session()
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var cp = new OsdpSecureChannel(key);
        var pd = new OsdpSecureChannel(key);
        var ccrypt = pd.OnChallenge(cp.Challenge(1, 1), new byte[8])!;
        var rmac = pd.OnServerCryptogram(cp.OnClientCryptogram(ccrypt, 2)!)!;
        cp.OnInitialRmac(rmac);
        return (cp, pd);
    }

    private static Func<int> Secure()
    {
        var (cp, pd) = Session();
        var poll = new OsdpPacket(1, false, 1, OsdpCommand.Poll, Array.Empty<byte>());
        var raw = new OsdpPacket(1, true, 1, OsdpReply.Raw, Convert.FromHexString("00011a0009181cc0"));
        return () =>
        {
            pd.OpenCommand(cp.ProtectCommand(poll));
            return cp.OpenReply(pd.ProtectReply(raw)) is null ? 0 : 1;
        };
    }

    private static Func<int> PollCycle()
    {
        var (cp, pd) = Session();
        var cpReader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var pdReader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var poll = new OsdpPacket(1, false, 1, OsdpCommand.Poll, Array.Empty<byte>());
        var ack = new OsdpPacket(1, true, 1, OsdpReply.Ack, Array.Empty<byte>());
        return () =>
        {
            foreach (var command in pdReader.Append(OsdpCodec.Encode(cp.ProtectCommand(poll))))
            {
                pd.OpenCommand(command);
            }

            var n = 0;
            foreach (var reply in cpReader.Append(OsdpCodec.Encode(pd.ProtectReply(ack))))
            {
                n += cp.OpenReply(reply) is null ? 0 : 1;
            }

            return n;
        };
    }

    private static Func<int> Wiegand()
    {
        var bits = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345);
        return () => WiegandDecoder.Decode(bits).IsCard ? 1 : 0;
    }

    private static Func<int> OnvifPull()
    {
        XNamespace tt = "http://www.onvif.org/ver10/schema";
        XElement Notification(string topic, string item, string value) => new(OnvifSoap.Wsnt + "NotificationMessage",
            new XElement(OnvifSoap.Wsnt + "Topic", new XAttribute("Dialect", OnvifEvents.TopicDialect), topic),
            new XElement(OnvifSoap.Wsnt + "Message", new XElement(tt + "Message", new XAttribute("UtcTime", "2026-11-28T08:00:09Z"), new XAttribute("PropertyOperation", "Changed"),
                new XElement(tt + "Source", new XElement(tt + "SimpleItem", new XAttribute("Name", "VideoSourceConfigurationToken"), new XAttribute("Value", "VideoSourceToken"))),
                new XElement(tt + "Data", new XElement(tt + "SimpleItem", new XAttribute("Name", item), new XAttribute("Value", value))))));
        var body = new XElement(OnvifSoap.Tev + "PullMessagesResponse",
            new XElement(OnvifSoap.Tev + "CurrentTime", "2026-11-28T08:00:10Z"), new XElement(OnvifSoap.Tev + "TerminationTime", "2026-11-28T08:01:10Z"),
            Notification("tns1:RuleEngine/CellMotionDetector/Motion", "IsMotion", "true"), Notification("tns1:VideoSource/SignalLoss", "State", "false"));
        var bytes = Encoding.UTF8.GetBytes(new XDocument(new XElement(OnvifSoap.S + "Envelope", new XElement(OnvifSoap.S + "Body", body))).ToString(SaveOptions.DisableFormatting));
        return () => OnvifEvents.ReadPull(OnvifSoap.Body(bytes)).Notifications.Count(n => OnvifEvents.Signal(n) is not null);
    }

    private static Func<int> IsapiCameraAlert()
    {
        var bytes = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\r\n" +
            "<ipAddress>10.20.1.21</ipAddress>\r\n<portNo>80</portNo>\r\n<protocol>HTTP</protocol>\r\n<macAddress>44:19:b6:6d:24:85</macAddress>\r\n<channelID>1</channelID>\r\n" +
            "<dateTime>2026-11-28T08:15:03+08:00</dateTime>\r\n<activePostCount>1</activePostCount>\r\n<eventType>VMD</eventType>\r\n<eventState>active</eventState>\r\n" +
            "<eventDescription>Motion alarm</eventDescription>\r\n</EventNotificationAlert>\r\n");
        return () => IsapiAlert.TryParse(bytes, "application/xml", out var alert, out _) && Edge.Gateway.Cameras.CameraEvents.OfIsapi(alert!.EventType) is not null ? 1 : 0;
    }

    private static Func<int> IsapiLogPage()
    {
        var list = new System.Text.Json.Nodes.JsonArray();
        for (var i = 0; i < IsapiAccessLog.PageSize; i++)
        {
            list.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["major"] = 5, ["minor"] = i % 2 == 0 ? 1 : 22, ["time"] = "2026-11-28T08:01:02+08:00", ["cardNo"] = "3355443200", ["cardType"] = 1,
                ["doorNo"] = 1, ["serialNo"] = 173_444 + i, ["currentVerifyMode"] = "cardOrFaceOrFp",
            });
        }

        var page = new System.Text.Json.Nodes.JsonObject
        {
            ["AcsEvent"] = new System.Text.Json.Nodes.JsonObject
            {
                ["searchID"] = "4f1c", ["totalMatches"] = 90, ["responseStatusStrg"] = "MORE", ["numOfMatches"] = IsapiAccessLog.PageSize, ["InfoList"] = list,
            },
        };
        var bytes = Encoding.UTF8.GetBytes(page.ToJsonString());
        return () => IsapiAccessLog.TryParse(bytes, out var parsed, out _) ? parsed!.Events.Count : 0;
    }

    private static void Measure(string what, double seconds, Func<int> op)
    {
        for (var i = 0; i < 1000; i++)
        {
            op();
        }

        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long n = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 100; i++)
            {
                op();
            }

            n += 100;
        }

        Report(what, n, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private static async Task MeasureAsync(string what, double seconds, int partsPerStream)
    {
        const string boundary = "MIME_boundary";
        var one = Encoding.UTF8.GetBytes("{\"ipAddress\":\"10.20.0.15\",\"portNo\":80,\"protocol\":\"HTTP\",\"channelID\":1,\"dateTime\":\"2026-11-28T07:31:12.123+08:00\"," +
            "\"activePostCount\":1,\"eventType\":\"AccessControllerEvent\",\"eventState\":\"active\",\"AccessControllerEvent\":{\"majorEventType\":5,\"subEventType\":1,\"doorNo\":1,\"serialNo\":4711,\"cardNo\":\"3355443200\"}}");
        var part = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Type: application/json\r\nContent-Length: {one.Length}\r\n\r\n").Concat(one).Concat("\r\n"u8.ToArray()).ToArray();
        var stream = Enumerable.Repeat(part, partsPerStream).SelectMany(p => p).ToArray();
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long n = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var reader = new MultipartStreamReader(new MemoryStream(stream), boundary);
            while (await reader.ReadPartAsync(CancellationToken.None).ConfigureAwait(false) is { } p)
            {
                if (IsapiAlert.TryParse(p.Body, p.ContentType, out _, out _))
                {
                    n++;
                }
            }
        }

        Report(what, n, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private static void Report(string what, long n, TimeSpan wall, TimeSpan cpu) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-80} {n / wall.TotalSeconds,12:N0} /s   {cpu.TotalMicroseconds / n,8:0.00} µs CPU each"));
}
