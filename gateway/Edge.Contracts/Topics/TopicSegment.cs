using System.Buffers;

namespace Edge.Contracts.Topics;

/// <summary>
/// Ids used as topic segments (community, gateway, device) must be safe in topics and ACL patterns:
/// 1-64 characters of letters, digits, '-' and '_'. No '/', '+', '#', '$' or spaces.
/// </summary>
public static class TopicSegment
{
    /// <summary>Longest allowed id.</summary>
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <summary>What a topic segment may be, for messages: "1-64 letters, digits, '-' or '_'".</summary>
    public static readonly string Rule = $"1-{MaxLength} letters, digits, '-' or '_'";

    /// <summary>True when <paramref name="value"/> can be a topic segment.</summary>
    public static bool IsValid(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>Throws naming <paramref name="what"/> when <paramref name="value"/> cannot be a topic segment.</summary>
    public static string Require(string? value, string what) =>
        IsValid(value)
            ? value!
            : throw new ArgumentException($"{what} '{value}' is not a valid topic segment: use {Rule}", what);
}
