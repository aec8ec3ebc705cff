using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Gateway.Uplink;

/// <summary>Loads the uplink's PEM files: the CA bundle that signs the broker, and the client certificate with its key.</summary>
public static class TlsFiles
{
    /// <summary>Every certificate in a PEM bundle; throws when there is none.</summary>
    public static X509Certificate2Collection LoadCa(string path)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(path);
        return bundle.Count > 0 ? bundle : throw new CryptographicException($"no certificate in '{path}'");
    }

    /// <summary>The client certificate with its private key, usable by SslStream on every platform.</summary>
    public static X509Certificate2 LoadClient(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        // Exported and re-imported: SslStream on Linux needs the key in a form it can hand to OpenSSL.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}

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
