using System.Xml;
using System.Xml.Linq;
using Edge.Gateway.Cameras.Onvif;

namespace Edge.Fuzz;

public static partial class FuzzTargets
{
    private static bool Onvif(byte[] data)
    {
        XElement body;
        try
        {
            body = OnvifSoap.Body(data);
        }
        catch (Exception ex) when (ex is XmlException or OnvifFaultException)
        {
            return false;
        }

        _ = OnvifClock.Read(body);
        try
        {
            foreach (var n in OnvifEvents.ReadPull(body).Notifications)
            {
                if (OnvifEvents.Signal(n) is { } signal)
                {
                    Check(CameraTypes.Contains(signal.Type), $"a notification mapped to '{signal.Type}'");
                }
            }
        }
        catch (XmlException)
        {
        }

        return true;
    }
}
