using Edge.Contracts.Topics;

namespace Edge.Gateway.Configuration;

/// <summary>Validates <c>Edge:Gateway</c>.</summary>
public static class GatewayOptionsValidator
{
    public static void Validate(GatewayOptions options, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        // No default identity: a box left unconfigured must not publish as some other community's gateway.
        check.That(TopicSegment.IsValid(options.Community), nameof(options.Community),
            options.Community.Length == 0 ? "'' must be set: the community this gateway serves (e.g. c001)" : $"'{options.Community}' must be {TopicSegment.Rule}");
        check.That(TopicSegment.IsValid(options.Id), nameof(options.Id),
            options.Id.Length == 0 ? "'' must be set: this gateway's id in its community (e.g. gw1)" : $"'{options.Id}' must be {TopicSegment.Rule}");
        check.That(!string.IsNullOrWhiteSpace(options.DataDirectory), nameof(options.DataDirectory), "must be set");
    }
}
