using System.Security.Cryptography.X509Certificates;

namespace Edge.Gateway.Uplink;

/// <summary>Disposal of certificate collections.</summary>
internal static class CertificateCollectionExtensions
{
    public static void DisposeAll(this X509Certificate2Collection collection)
    {
        foreach (var c in collection)
        {
            c.Dispose();
        }
    }
}
