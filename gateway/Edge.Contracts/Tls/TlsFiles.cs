using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Contracts.Tls;

/// <summary>
/// The PEM files of a link to the station broker, the gateway's uplink and the desk's alike: the CA bundle that signs
/// the broker, and the client certificate with its key; and the check of the broker's certificate against that CA.
/// </summary>
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

    /// <summary>
    /// Whether a broker's certificate is to be trusted: by <paramref name="ca"/> only (or the system store without one),
    /// with the host name matching, for server authentication, with no download (the station network has no internet).
    /// </summary>
    public static bool ValidateBroker(X509Certificate2Collection? ca, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        if (ca is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        // Never try to download anything; use what the broker sent.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1")); // server authentication
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }
}
