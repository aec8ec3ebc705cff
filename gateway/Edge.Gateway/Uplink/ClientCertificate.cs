using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Contracts.Status;
using Edge.Contracts.Tls;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Uplink;

/// <summary>
/// The uplink's client certificate, read again whenever its files change: an operator (or a renewal job) puts a new
/// certificate and key in place and the next connection presents them, without a restart. A pair that does not load
/// (half written, a key that is not the certificate's) leaves the certificate in use in place and is reported once per
/// change. From <see cref="WarnBefore"/> before the end of its validity the log warns once a day, and the heartbeat says
/// how long it has left all the time.
/// </summary>
/// <remarks>
/// The files are compared by content, not by time stamp: <c>cp -p</c> or a restored backup keeps the old time. They
/// are small, and read only when a connection is made and when a heartbeat is due.
/// </remarks>
public sealed partial class ClientCertificate
{
    /// <summary>How long before its end a certificate is warned about.</summary>
    public static readonly TimeSpan WarnBefore = TimeSpan.FromDays(30);

    private static readonly TimeSpan WarnEvery = TimeSpan.FromDays(1);
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private string _subject;
    private DateTimeOffset _end;
    private byte[] _loaded;
    private byte[]? _refused;
    private bool _unreadable;
    private DateTimeOffset? _warnedAt;

    /// <summary>Loads the pair; throws when it does not load (the configuration check has said why already).</summary>
    public ClientCertificate(string certificatePath, string keyPath, TimeProvider time, ILogger log)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _time = time;
        _log = log;
        _loaded = Fingerprint() ?? throw new IOException($"cannot read '{certificatePath}' or '{keyPath}'");
        (_current, _subject, _end) = Described(TlsFiles.LoadClient(certificatePath, keyPath));
        WarnIfEnding();
    }

    /// <summary>The certificate to present now: the files' present content when it loads, else the last one that did.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_lock)
            {
                Refresh();
                return _current;
            }
        }
    }

    /// <summary>The certificate in use for the heartbeat: its subject, end and days left.</summary>
    public ClientCertificateStatus Status()
    {
        lock (_lock)
        {
            Refresh();
            return new ClientCertificateStatus(_subject, _end, Math.Round((_end - _time.GetUtcNow()).TotalDays, 1));
        }
    }

    private void Refresh()
    {
        var now = Fingerprint();
        if (now is null)
        {
            // Files being replaced by a move, or taken away: the certificate in use stays until a readable pair is there.
            if (!_unreadable)
            {
                LogUnreadable(_certificatePath, _keyPath, _end);
                _unreadable = true;
            }
        }
        else
        {
            _unreadable = false;
            if (!now.AsSpan().SequenceEqual(_loaded) && (_refused is null || !now.AsSpan().SequenceEqual(_refused)))
            {
                Reload(now);
            }
        }

        WarnIfEnding();
    }

    private void Reload(byte[] fingerprint)
    {
        try
        {
            // The certificate replaced is not disposed: a connection made with it may still hold it. It is small,
            // replaced rarely, and the collector releases it.
            (_current, _subject, _end) = Described(TlsFiles.LoadClient(_certificatePath, _keyPath));
            _loaded = fingerprint;
            _refused = null;
            _warnedAt = null;
            LogReloaded(_subject, _end);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            _refused = fingerprint;
            LogRefused(_certificatePath, _keyPath, ex.Message, _end);
        }
    }

    private void WarnIfEnding()
    {
        var now = _time.GetUtcNow();
        var end = _end;
        if (end - now > WarnBefore || (_warnedAt is { } at && now - at < WarnEvery))
        {
            return;
        }

        _warnedAt = now;
        if (end <= now)
        {
            LogExpired(_subject, end, _certificatePath);
        }
        else
        {
            LogEnding(_subject, end, Math.Floor((end - now).TotalDays), _certificatePath);
        }
    }

    private static (X509Certificate2, string, DateTimeOffset) Described(X509Certificate2 certificate) =>
        (certificate, certificate.Subject, new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));

    /// <summary>A hash of both files' content, or null when either cannot be read.</summary>
    private byte[]? Fingerprint()
    {
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(File.ReadAllBytes(_certificatePath));
            hash.AppendData(File.ReadAllBytes(_keyPath));
            return hash.GetHashAndReset();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client certificate reloaded: {Subject}, valid until {NotAfter:u}; the next connection presents it")]
    private partial void LogReloaded(string subject, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client certificate files changed but do not load ('{Certificate}', '{Key}': {Reason}); still presenting the one valid until {NotAfter:u}")]
    private partial void LogRefused(string certificate, string key, string reason, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client certificate files cannot be read ('{Certificate}', '{Key}'); still presenting the one valid until {NotAfter:u}")]
    private partial void LogUnreadable(string certificate, string key, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client certificate {Subject} expires {NotAfter:u}, in {Days} days: put a renewed certificate and key in place of '{Certificate}' (no restart needed)")]
    private partial void LogEnding(string subject, DateTimeOffset notAfter, double days, string certificate);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client certificate {Subject} expired {NotAfter:u}: the broker will refuse the next connection; put a renewed certificate and key in place of '{Certificate}'")]
    private partial void LogExpired(string subject, DateTimeOffset notAfter, string certificate);
}
