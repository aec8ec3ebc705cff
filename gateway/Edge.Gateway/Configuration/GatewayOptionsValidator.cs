using Edge.Contracts.Topics;

namespace Edge.Gateway.Configuration;

/// <summary>Validates <c>Edge:Gateway</c>.</summary>
public static class GatewayOptionsValidator
{
    public static void Validate(GatewayOptions options, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        check.That(TopicSegment.IsValid(options.Community), nameof(options.Community), $"'{options.Community}' must be {TopicSegment.Rule}");
        check.That(TopicSegment.IsValid(options.Id), nameof(options.Id), $"'{options.Id}' must be {TopicSegment.Rule}");
        check.That(!string.IsNullOrWhiteSpace(options.DataDirectory), nameof(options.DataDirectory), "must be set");
    }
}
