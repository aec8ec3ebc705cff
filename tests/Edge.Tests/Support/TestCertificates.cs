using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Tests.Support;

/// <summary>A private CA with a broker certificate and client certificates, written as PEM files, as deploy/certs makes them.</summary>
public sealed class TestCertificates
{
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;
    private readonly string _directory;

    public TestCertificates(string directory, string name = "Edge test CA")
    {
        _directory = directory;
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaFile = Path.Combine(directory, $"{Slug(name)}.crt");
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());
    }

    public string CaFile { get; }

    /// <summary>A server certificate for 127.0.0.1; returns (certificate file, key file).</summary>
    public (string Cert, string Key) Server(string name = "broker")
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        return Issue(name, "CN=127.0.0.1", san.Build(), "1.3.6.1.5.5.7.3.1");
    }

    /// <summary>
    /// A client certificate whose CN becomes the MQTT user name at the broker, valid from a day ago for
    /// <paramref name="validFor"/> (six months unless told), written over an earlier one of the same name.
    /// </summary>
    public (string Cert, string Key) Client(string commonName, TimeSpan? validFor = null) =>
        Issue(Slug(commonName), $"CN={commonName}", null, "1.3.6.1.5.5.7.3.2", validFor);

    private (string Cert, string Key) Issue(string file, string subject, X509Extension? san, string usage, TimeSpan? validFor = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        var from = DateTimeOffset.UtcNow.AddDays(-1);
        using var cert = request.Create(_ca, from, validFor is { } v ? from + v : DateTimeOffset.UtcNow.AddMonths(6), RandomNumberGenerator.GetBytes(12));
        var certFile = Path.Combine(_directory, $"{file}.crt");
        var keyFile = Path.Combine(_directory, $"{file}.key");
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    private static string Slug(string name) => name.Replace('/', '-').Replace(' ', '-');
}
