using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Edge.Gateway.Cameras.Onvif;

/// <summary>
/// SOAP 1.2 envelopes for ONVIF, written and read with LINQ to XML (no string templates): the WS-Security
/// UsernameToken with a password digest, WS-Addressing headers, and the body. Responses are read with DTDs prohibited
/// and a size limit; a SOAP fault becomes an <see cref="OnvifFaultException"/>.
/// </summary>
public static class OnvifSoap
{
    public static readonly XNamespace S = "http://www.w3.org/2003/05/soap-envelope";
    public static readonly XNamespace Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    public static readonly XNamespace Wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    public static readonly XNamespace Wsa = "http://www.w3.org/2005/08/addressing";
    public static readonly XNamespace Tds = "http://www.onvif.org/ver10/device/wsdl";
    public static readonly XNamespace Tev = "http://www.onvif.org/ver10/events/wsdl";
    public static readonly XNamespace Trt = "http://www.onvif.org/ver10/media/wsdl";
    public static readonly XNamespace Tt = "http://www.onvif.org/ver10/schema";
    public static readonly XNamespace Wsnt = "http://docs.oasis-open.org/wsn/b-2";
    public static readonly XNamespace Tns1 = "http://www.onvif.org/ver10/topics";

    public const string ContentType = "application/soap+xml";
    public const string PasswordDigestType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
    public const string Base64Encoding = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

    /// <summary>The longest response read; more is a broken or hostile device.</summary>
    public const int MaxResponseBytes = 1 << 20;

    private static readonly XmlReaderSettings Safe = new() { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxResponseBytes };

    /// <summary>An envelope for <paramref name="action"/> to <paramref name="to"/>, signed in with a fresh UsernameToken.</summary>
    public static XDocument Envelope(string action, Uri to, XElement body, string user, string password, DateTimeOffset now, ReadOnlySpan<byte> nonce = default) =>
        Envelope(action, to, body, UsernameToken(user, password, now, nonce));

    /// <summary>An envelope for <paramref name="action"/> to <paramref name="to"/>; without <paramref name="security"/> for the calls a device answers before authentication.</summary>
    public static XDocument Envelope(string action, Uri to, XElement body, XElement? security)
    {
        ArgumentNullException.ThrowIfNull(to);
        return new XDocument(new XElement(S + "Envelope",
            new XAttribute(XNamespace.Xmlns + "s", S), new XAttribute(XNamespace.Xmlns + "wsa", Wsa),
            new XElement(S + "Header",
                security,
                new XElement(Wsa + "Action", new XAttribute(S + "mustUnderstand", "1"), action),
                new XElement(Wsa + "MessageID", "urn:uuid:" + Guid.NewGuid()),
                new XElement(Wsa + "To", new XAttribute(S + "mustUnderstand", "1"), to.ToString())),
            new XElement(S + "Body", body)));
    }

    /// <summary>
    /// WS-Security UsernameToken profile 1.0: PasswordDigest = Base64(SHA-1(nonce + created + password)), with the
    /// nonce (16 random bytes unless given) and the creation time in the token.
    /// </summary>
    public static XElement UsernameToken(string user, string password, DateTimeOffset now, ReadOnlySpan<byte> nonce = default)
    {
        var n = nonce.IsEmpty ? RandomNumberGenerator.GetBytes(16) : nonce.ToArray();
        var created = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return new XElement(Wsse + "Security", new XAttribute(S + "mustUnderstand", "1"),
            new XAttribute(XNamespace.Xmlns + "wsse", Wsse), new XAttribute(XNamespace.Xmlns + "wsu", Wsu),
            new XElement(Wsse + "UsernameToken",
                new XElement(Wsse + "Username", user),
                new XElement(Wsse + "Password", new XAttribute("Type", PasswordDigestType), Digest(n, created, password)),
                new XElement(Wsse + "Nonce", new XAttribute("EncodingType", Base64Encoding), Convert.ToBase64String(n)),
                new XElement(Wsu + "Created", created)));
    }

#pragma warning disable CA5350 // The UsernameToken profile defines the digest over SHA-1; cameras check exactly this.
    public static string Digest(ReadOnlySpan<byte> nonce, string created, string password) =>
        Convert.ToBase64String(SHA1.HashData([.. nonce, .. Encoding.UTF8.GetBytes(created + password)]));
#pragma warning restore CA5350

    /// <summary>The body's first element, or an <see cref="OnvifFaultException"/> for a SOAP fault; <see cref="XmlException"/> when it does not parse.</summary>
    public static XElement Body(ReadOnlySpan<byte> response)
    {
        using var stream = new MemoryStream(response.ToArray());
        using var reader = XmlReader.Create(stream, Safe);
        var root = XDocument.Load(reader).Root;
        if (root is null || root.Name != S + "Envelope" || root.Element(S + "Body") is not { } body || body.Elements().FirstOrDefault() is not { } first)
        {
            throw new XmlException("not a SOAP 1.2 envelope with a body");
        }

        if (first.Name == S + "Fault")
        {
            var code = first.Descendants(S + "Value").LastOrDefault()?.Value ?? "unknown";
            var reason = first.Element(S + "Reason")?.Elements(S + "Text").FirstOrDefault()?.Value ?? "";
            throw new OnvifFaultException(code.Trim(), reason.Trim());
        }

        return first;
    }

    /// <summary>
    /// An address a device gave (a service, a subscription, a snapshot URI): absolute, http or https; otherwise an
    /// <see cref="XmlException"/> saying which one is missing.
    /// </summary>
    public static Uri HttpAddress(string? text, string what) =>
        Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new XmlException($"no {what}");

    /// <summary>An ISO 8601 duration for ONVIF (PT10S).</summary>
    public static string Duration(TimeSpan span) => XmlConvert.ToString(span);
}

/// <summary>A SOAP fault from a device: its (most specific) code and reason.</summary>
public sealed class OnvifFaultException : Exception
{
    public OnvifFaultException(string code, string reason)
        : base($"SOAP fault {code}: {reason}")
    {
        Code = code;
        Reason = reason;
    }

    public OnvifFaultException()
        : this("unknown", "")
    {
    }

    public OnvifFaultException(string message, Exception inner)
        : base(message, inner)
    {
        Code = "unknown";
        Reason = message;
    }

    public string Code { get; }

    public string Reason { get; }
}
