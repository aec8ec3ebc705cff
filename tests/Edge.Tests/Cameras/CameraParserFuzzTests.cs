using System.Text;
using System.Xml;
using Edge.Contracts.Events;
using Edge.Gateway.Isapi;
using Edge.Gateway.Cameras;
using Edge.Gateway.Cameras.Onvif;

namespace Edge.Tests.Cameras;

/// <summary>
/// Generated garbage through the camera parsers: ONVIF envelopes and pull responses, random and mangled, and ISAPI
/// camera alerts mangled. Whatever the bytes, a parser gives a result, an XML error or a SOAP fault, never anything
/// else, and what it accepts maps to a known camera condition or to nothing. Seeds are fixed, so a failure replays.
/// </summary>
public sealed class CameraParserFuzzTests
{
    private static readonly string[] Known = [EventTypes.CameraMotion, EventTypes.CameraTamper, EventTypes.CameraVideoLoss, EventTypes.CameraIntrusion, EventTypes.CameraLineCrossing];

    private static readonly byte[] ValidPull = Encoding.UTF8.GetBytes(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:wsnt=\"http://docs.oasis-open.org/wsn/b-2\" " +
        "xmlns:tev=\"http://www.onvif.org/ver10/events/wsdl\"><s:Body><tev:PullMessagesResponse><tev:CurrentTime>2026-11-28T08:00:10Z</tev:CurrentTime>" +
        "<tev:TerminationTime>2026-11-28T08:01:10Z</tev:TerminationTime><wsnt:NotificationMessage><wsnt:Topic>tns1:RuleEngine/CellMotionDetector/Motion</wsnt:Topic>" +
        "<wsnt:Message><tt:Message PropertyOperation=\"Changed\"><tt:Data><tt:SimpleItem Name=\"IsMotion\" Value=\"true\"/></tt:Data></tt:Message></wsnt:Message>" +
        "</wsnt:NotificationMessage><wsnt:NotificationMessage><wsnt:Topic>tns1:VideoSource/SignalLoss</wsnt:Topic><wsnt:Message><tt:Message><tt:Data>" +
        "<tt:SimpleItem Name=\"State\" Value=\"false\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage></tev:PullMessagesResponse></s:Body></s:Envelope>");

    private static byte[] Mangle(Random random, byte[] valid)
    {
        var bytes = valid.ToArray();
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (var i = 0; i < 1 + random.Next(6); i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 2:
                var at = random.Next(bytes.Length);
                return [.. bytes[..at], .. "\"<>&]]>"u8.ToArray()[..(1 + random.Next(6))], .. bytes[at..]];
            default:
                var junk = new byte[random.Next(200)];
                random.NextBytes(junk);
                return junk;
        }
    }

    [Fact]
    public void Onvif_envelopes_and_pulls_give_a_result_an_xml_error_or_a_fault_and_nothing_else()
    {
        var random = new Random(11);
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Mangle(random, ValidPull);
            try
            {
                var pull = OnvifEvents.ReadPull(OnvifSoap.Body(bytes));
                foreach (var n in pull.Notifications)
                {
                    if (OnvifEvents.Signal(n) is { } signal)
                    {
                        Assert.Contains(signal.Type, Known);
                    }
                }

                accepted++;
            }
            catch (Exception ex) when (ex is XmlException or OnvifFaultException)
            {
            }
        }

        Assert.InRange(accepted, 1, 19_999);
    }

    [Fact]
    public void Isapi_camera_alerts_mangled_parse_or_are_refused_and_map_only_to_known_conditions()
    {
        var random = new Random(12);
        var valid = "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><channelID>1</channelID><dateTime>2026-11-28T08:15:03+08:00</dateTime><eventType>shelteralarm</eventType><eventState>active</eventState></EventNotificationAlert>"u8.ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            if (IsapiAlert.TryParse(Mangle(random, valid), "application/xml", out var alert, out _) && CameraEvents.OfIsapi(alert!.EventType) is { } type)
            {
                Assert.Contains(type, Known);
            }
        }
    }
}
