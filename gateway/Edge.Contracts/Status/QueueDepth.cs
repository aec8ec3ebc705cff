using System.Text.Json.Serialization;

namespace Edge.Contracts.Status;

/// <summary>Events waiting in the outbox, per priority lane.</summary>
public sealed record QueueDepth(long Critical, long High, long Normal, long Low)
{
    /// <summary>All waiting events.</summary>
    [JsonIgnore]
    public long Total => Critical + High + Normal + Low;
}
