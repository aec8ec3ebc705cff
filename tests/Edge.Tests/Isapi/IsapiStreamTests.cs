using System.Text;
using Edge.Contracts.Events;
using Edge.Gateway.Isapi;

namespace Edge.Tests.Isapi;

public sealed class IsapiStreamTests
{
    private const string Boundary = "MIME_boundary";

    // Shaped after what Hikvision devices send on /ISAPI/Event/notification/alertStream.
    private const string VideoLossXml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
        <ipAddress>192.168.1.64</ipAddress>
        <portNo>80</portNo>
        <protocol>HTTP</protocol>
        <macAddress>44:19:b6:00:00:01</macAddress>
        <channelID>1</channelID>
        <dateTime>2026-11-28T08:00:00+08:00</dateTime>
        <activePostCount>1</activePostCount>
        <eventType>videoloss</eventType>
        <eventState>inactive</eventState>
        <eventDescription>videoloss alarm</eventDescription>
        </EventNotificationAlert>
        """;

    private const string AccessJson = """
        {"ipAddress":"10.20.0.15","portNo":80,"protocol":"HTTP","macAddress":"bc:ba:c2:00:00:0f","channelID":1,
         "dateTime":"2026-11-28T07:31:12+08:00","activePostCount":1,"eventType":"AccessControllerEvent","eventState":"active",
         "eventDescription":"Access Controller Event",
         "AccessControllerEvent":{"deviceName":"Unit 3 door","majorEventType":5,"subEventType":1,"cardNo":"3355443200",
          "cardType":1,"doorNo":1,"serialNo":4711,"currentVerifyMode":"cardOrFace"}}
        """;

    private const string HeartbeatXml = """
        <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
        <ipAddress>10.20.0.15</ipAddress><dateTime>2026-11-28T07:31:20+08:00</dateTime>
        <activePostCount>0</activePostCount><eventType>heartBeat</eventType><eventState>active</eventState>
        </EventNotificationAlert>
        """;

    private static byte[] Part(string contentType, string body, bool withLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"--{Boundary}\r\nContent-Type: {contentType}\r\n" + (withLength ? $"Content-Length: {bytes.Length}\r\n" : "") + "\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. bytes, .. "\r\n"u8];
    }

    /// <summary>A stream that hands out its bytes a few at a time, as a slow network does.</summary>
    private sealed class Trickle(byte[] bytes, int seed) : MemoryStream(bytes)
    {
        private readonly Random _random = new(seed);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, _random.Next(1, 300))], cancellationToken);
    }

    private static async Task<List<MultipartPart>> ReadAll(MultipartStreamReader reader)
    {
        var parts = new List<MultipartPart>();
        while (await reader.ReadPartAsync(TestContext.Current.CancellationToken) is { } part)
        {
            parts.Add(part);
        }

        return parts;
    }

    [Fact]
    public void The_boundary_comes_from_the_content_type()
    {
        Assert.Equal("MIME_boundary", MultipartStreamReader.Boundary("multipart/mixed; boundary=MIME_boundary"));
        Assert.Equal("b 1", MultipartStreamReader.Boundary("multipart/mixed;boundary=\"b 1\""));
        Assert.Null(MultipartStreamReader.Boundary("application/json"));
        Assert.Null(MultipartStreamReader.Boundary(null));
    }

    [Fact]
    public async Task Xml_and_json_parts_with_and_without_a_length_are_read_and_parsed()
    {
        byte[] stream = [.. Part("application/xml; charset=\"UTF-8\"", VideoLossXml), .. Part("application/json", AccessJson, withLength: false), .. Part("application/xml", HeartbeatXml)];
        var reader = new MultipartStreamReader(new Trickle(stream, 1), Boundary);

        var parts = await ReadAll(reader);

        Assert.Equal(3, parts.Count);
        Assert.True(IsapiAlert.TryParse(parts[0].Body, parts[0].ContentType, out var loss, out _));
        Assert.Equal(("videoloss", false, 1), (loss!.EventType, loss.Active, loss.Channel));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), loss.At!.Value.ToUniversalTime());

        Assert.True(IsapiAlert.TryParse(parts[1].Body, parts[1].ContentType, out var access, out _));
        Assert.Equal((5, 1, "3355443200", 1, 4711L), (access!.Access!.Major, access.Access.Minor, access.Access.CardNo, access.Access.DoorNo!.Value, (long)access.Access.SerialNo!.Value));
        Assert.Equal(EventTypes.AccessGranted, IsapiAccessCodes.Of(access.Access.Major, access.Access.Minor)!.Type);

        Assert.True(IsapiAlert.TryParse(parts[2].Body, parts[2].ContentType, out var beat, out _));
        Assert.True(beat!.IsHeartbeat);
        Assert.Equal(0, reader.BadParts);
    }

    [Theory]
    [InlineData("not xml at all")]
    [InlineData("<EventNotificationAlert><eventType>vmd</eventType>")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><EventNotificationAlert><eventType>&a;</eventType></EventNotificationAlert>")]
    [InlineData("<Other><eventType>vmd</eventType></Other>")]
    [InlineData("{\"eventType\": ")]
    [InlineData("{\"noEventType\": 1}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"eventType\":\"\",\"AccessControllerEvent\":{\"majorEventType\":5}}")]
    [InlineData("<EventNotificationAlert><eventType> </eventType><eventState>active</eventState></EventNotificationAlert>")]
    public void Bodies_that_are_not_alerts_are_refused_with_a_reason(string body)
    {
        Assert.False(IsapiAlert.TryParse(Encoding.UTF8.GetBytes(body), "application/xml", out var alert, out var error));
        Assert.Null(alert);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public async Task Every_valid_part_survives_noise_lying_lengths_and_broken_headers_in_a_generated_stream()
    {
        var random = new Random(99);
        for (var round = 0; round < 30; round++)
        {
            var stream = new List<byte>();
            var wanted = new List<string>();
            var previousHadLength = true;
            var log = new StringBuilder();
            for (var i = 0; i < 30; i++)
            {
                // Noise right after a part without a length is that part's body (multipart has no other end): noise
                // goes only where it cannot be part of a valid body.
                var kind = random.Next(5);
                log.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i}:{kind}:{previousHadLength} ");
                switch (kind)
                {
                    case 0 when previousHadLength:
                        var noise = new byte[random.Next(1, 400)];
                        random.NextBytes(noise);
                        stream.AddRange(noise);
                        break;
                    case 1:
                        // A part whose Content-Length claims more than it has.
                        stream.AddRange(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/json\r\nContent-Length: {random.Next(200, 5000)}\r\n\r\n{{\"eventType\":\"vmd\"}}\r\n"));
                        break;
                    case 2:
                        // Headers that never end before the next part.
                        stream.AddRange(Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/json\r\nContent-Len"));
                        break;
                }

                var body = $"{{\"eventType\":\"heartBeat\",\"activePostCount\":{round * 100 + i}}}";
                wanted.Add(body);
                previousHadLength = random.Next(2) == 0;
                stream.AddRange(Part("application/json", body, withLength: previousHadLength));
            }

            var reader = new MultipartStreamReader(new Trickle([.. stream], round), Boundary, maxBody: 64 * 1024);
            var got = (await ReadAll(reader)).Select(p => Encoding.UTF8.GetString(p.Body)).ToList();

            Assert.True(wanted.SequenceEqual(got.Where(wanted.Contains)), $"round {round}: {log}\n{string.Join("\n", got)}");
        }
    }

    [Fact]
    public void An_event_log_page_gives_serials_past_32_bits_the_controllers_times_and_skips_entries_without_a_serial()
    {
        var json = """
            {"AcsEvent":{"searchID":"4f1c","totalMatches":3,"responseStatusStrg":"MORE","numOfMatches":3,"InfoList":[
              {"major":5,"minor":1,"time":"2026-11-28T08:01:02+08:00","cardNo":"3355443200","cardType":1,"doorNo":1,
               "serialNo":2999999999,"currentVerifyMode":"cardOrFaceOrFp"},
              {"major":5,"minor":23,"time":"2026-11-28T08:01:09+08:00","doorNo":1},
              {"major":"5","minor":22,"time":"2026-11-28T08:01:15+08:00","doorNo":1,"serialNo":"3000000001"}]}}
            """u8;

        Assert.True(IsapiAccessLog.TryParse(json, out var page, out var error), error);
        Assert.True(page!.More);
        Assert.Equal([2999999999L, 3000000001L], page.Events.Select(e => e.Access.SerialNo!.Value));
        Assert.Equal((5, 1, "3355443200", (int?)1), (page.Events[0].Access.Major, page.Events[0].Access.Minor, page.Events[0].Access.CardNo, page.Events[0].Access.DoorNo));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 1, 2, TimeSpan.Zero), page.Events[0].At);

        Assert.True(IsapiAccessLog.TryParse("""{"AcsEvent":{"searchID":"x","responseStatusStrg":"NO MATCH","numOfMatches":0}}"""u8, out var none, out _));
        Assert.False(none!.More);
        Assert.Empty(none.Events);
        Assert.False(IsapiAccessLog.TryParse("""{"ResponseStatus":{"statusCode":4,"subStatusCode":"notSupport"}}"""u8, out _, out var refused));
        Assert.Equal("no AcsEvent object", refused);
    }

    [Fact]
    public void Searches_ask_by_serial_number_and_a_streamed_alert_says_whether_it_is_history()
    {
        var range = System.Text.Json.Nodes.JsonNode.Parse(IsapiAccessLog.Range(173445, 173500))!["AcsEventCond"]!;
        Assert.Equal((173445L, 173500L, 30, false), ((long)range["beginSerialNo"]!, (long)range["endSerialNo"]!, (int)range["maxResults"]!, (bool)range["timeReverseOrder"]!));
        var newest = System.Text.Json.Nodes.JsonNode.Parse(IsapiAccessLog.Newest())!["AcsEventCond"]!;
        Assert.Equal((1, true, null), ((int)newest["maxResults"]!, (bool)newest["timeReverseOrder"]!, newest["beginSerialNo"]));

        var replayed = AccessJson.Replace("\"serialNo\":4711", "\"serialNo\":4294967296,\"currentEvent\":false", StringComparison.Ordinal);
        Assert.True(IsapiAlert.TryParse(Encoding.UTF8.GetBytes(replayed), "application/json", out var alert, out _));
        Assert.Equal((4294967296L, (bool?)false), (alert!.Access!.SerialNo, alert.Access.Current));
        Assert.True(IsapiAlert.TryParse(Encoding.UTF8.GetBytes(AccessJson), "application/json", out var live, out _));
        Assert.Equal((4711L, (bool?)null), (live!.Access!.SerialNo, live.Access.Current));
    }
}
