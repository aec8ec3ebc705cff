using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Station.Store;

/// <summary>
/// What one write changed, for the live pages: this desk's, and, as news (<see cref="ToNews"/>), every other desk's on
/// the same database.
/// </summary>
public sealed class StoreChanges
{
    /// <summary>The largest news one notification carries (PostgreSQL takes under 8,000 bytes).</summary>
    public const int MaxNewsBytes = 7000;

    public HashSet<Guid> Alarms { get; } = [];

    public HashSet<(string Community, string Gateway)> Gateways { get; } = [];

    public List<(Guid Alarm, string Picture)> Pictures { get; } = [];

    public List<(Guid Alarm, string Step, DateTimeOffset At)> Escalations { get; } = [];

    public bool IsEmpty => Alarms.Count == 0 && Gateways.Count == 0 && Pictures.Count == 0 && Escalations.Count == 0;

    /// <summary>The changes as JSON news from desk <paramref name="from"/>, split so each part stays under <see cref="MaxNewsBytes"/>.</summary>
    public IReadOnlyList<string> ToNews(Guid from)
    {
        var parts = new List<string>();
        var part = new News { From = from };
        var size = 0;
        void Add(int bytes)
        {
            size += bytes;
            if (size > MaxNewsBytes - 200)
            {
                parts.Add(JsonSerializer.Serialize(part, NewsJson.Default.News));
                part = new News { From = from };
                size = 0;
            }
        }

        foreach (var a in Alarms)
        {
            part.Alarms.Add(a);
            Add(40);
        }

        foreach (var (c, g) in Gateways)
        {
            part.Gateways.Add([c, g]);
            Add(Encoding.UTF8.GetByteCount(c) + Encoding.UTF8.GetByteCount(g) + 8);
        }

        foreach (var (a, p) in Pictures)
        {
            part.Pictures.Add([a.ToString("D"), p]);
            Add(48 + p.Length);
        }

        foreach (var (a, step, at) in Escalations)
        {
            part.Escalations.Add(new NewsEscalation(a, step, at));
            Add(100 + step.Length);
        }

        if (part.Alarms.Count + part.Gateways.Count + part.Pictures.Count + part.Escalations.Count > 0)
        {
            parts.Add(JsonSerializer.Serialize(part, NewsJson.Default.News));
        }

        return parts;
    }

    /// <summary>
    /// The changes another desk announced, or null when the news is this desk's own (<paramref name="self"/>). Throws
    /// <see cref="JsonException"/> on news that is not the desk's.
    /// </summary>
    public static StoreChanges? FromNews(string json, Guid self)
    {
        var news = JsonSerializer.Deserialize(json, NewsJson.Default.News) ?? throw new JsonException("empty news");
        if (news.From == self)
        {
            return null;
        }

        var changes = new StoreChanges();
        changes.Alarms.UnionWith(news.Alarms);
        foreach (var g in news.Gateways)
        {
            changes.Gateways.Add(g is [var c, var gw] ? (c, gw) : throw new JsonException("a gateway is [community, gateway]"));
        }

        foreach (var p in news.Pictures)
        {
            changes.Pictures.Add(p is [var a, var id] ? (Guid.Parse(a), id) : throw new JsonException("a picture is [alarm, picture]"));
        }

        changes.Escalations.AddRange(news.Escalations.Select(e => (e.Alarm, e.Step, e.At)));
        return changes;
    }

    internal sealed class News
    {
        public Guid From { get; set; }

        public List<Guid> Alarms { get; set; } = [];

        public List<string[]> Gateways { get; set; } = [];

        public List<string[]> Pictures { get; set; } = [];

        public List<NewsEscalation> Escalations { get; set; } = [];
    }

    internal sealed record NewsEscalation(Guid Alarm, string Step, DateTimeOffset At);
}

[JsonSerializable(typeof(StoreChanges.News))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class NewsJson : JsonSerializerContext;
