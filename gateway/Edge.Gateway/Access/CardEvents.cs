using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Gateway.Access;

/// <summary>The <c>access.card</c> event of a reader the gateway listens to: the card's keyed hash, never its number unless configured.</summary>
public static class CardEvents
{
    public static EventDraft Card(DeviceRef reader, string? door, WiegandRead read, CardPrivacy privacy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(privacy);
        var format = read.Format!.Value.ToString();
        var card = new JsonObject { ["hash"] = privacy.Hash(format, read.Facility, read.Card!.Value), ["format"] = format };
        if (privacy.RevealRawNumbers)
        {
            card["number"] = read.Card.Value;
            card["facility"] = read.Facility;
        }

        var data = new JsonObject { ["reader"] = reader.Id, ["card"] = card };
        if (door is not null)
        {
            data["door"] = door;
        }

        return new EventDraft(EventTypes.AccessCard, Priority.Normal, reader, null, at, data);
    }
}
