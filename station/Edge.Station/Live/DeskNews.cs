using System.Text.Json;
using Edge.Station.Store;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Edge.Station.Live;

/// <summary>Turns what the store changed (here, or at another desk on the same database) into the pages' events, as the API shows the same things.</summary>
public sealed class DeskNews(DeskStore store, LiveFeed feed, TimeProvider time, IOptions<JsonOptions> json)
{
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public void Tell(StoreChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (feed.Pages == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var id in changes.Alarms)
        {
            if (store.Alarm(id, now) is { } alarm)
            {
                Alarm(alarm);
            }
        }

        foreach (var (community, gateway) in changes.Gateways)
        {
            foreach (var g in store.Gateways(community, gateway))
            {
                feed.Publish("gateway", JsonSerializer.Serialize(g, _json));
            }
        }

        foreach (var (alarm, picture) in changes.Pictures)
        {
            feed.Publish("picture", JsonSerializer.Serialize(new { alarmId = alarm, pictureId = picture }, _json));
        }

        foreach (var (alarm, step, at) in changes.Escalations)
        {
            Escalation(alarm, step, at);
        }
    }

    public void Alarm(AlarmView alarm) => feed.Publish("alarm", JsonSerializer.Serialize(alarm, _json));

    public void Escalation(Guid alarm, string step, DateTimeOffset at) =>
        feed.Publish("escalation", JsonSerializer.Serialize(new { alarmId = alarm, step, at }, _json));
}
