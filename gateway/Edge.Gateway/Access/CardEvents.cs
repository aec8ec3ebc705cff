using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Gateway.Access;

/// <summary>The <c>access.card</c> event of a reader the gateway listens to: the card's keyed hash, never its number unless configured.</summary>
public static class CardEvents
{
    /// <summary>The format name of a card number a reader sends as text (OSDP osdp_FMT).</summary>
    public const string TextFormat = "text";

    /// <summary>A Wiegand card read (on GPIO, or in an OSDP osdp_RAW report).</summary>
    public static EventDraft Card(DeviceRef reader, string? door, WiegandRead read, CardPrivacy privacy, DateTimeOffset at) =>
        Card(reader, door, read.Format!.Value.ToString(), read.Facility, read.Card!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), privacy, at);

    /// <summary>A card read in <paramref name="format"/>, with its facility code when the format has one.</summary>
    public static EventDraft Card(DeviceRef reader, string? door, string format, long? facility, string number, CardPrivacy privacy, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(privacy);
        var card = new JsonObject { ["hash"] = privacy.Hash(format, facility, number), ["key"] = privacy.KeyId, ["format"] = format };
        if (privacy.RevealRawNumbers)
        {
            card["number"] = long.TryParse(number, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : number;
            card["facility"] = facility;
        }

        var data = new JsonObject { ["reader"] = reader.Id, ["card"] = card };
        if (door is not null)
        {
            data["door"] = door;
        }

        return new EventDraft(EventTypes.AccessCard, Priority.Normal, reader, null, at, data);
    }
}
