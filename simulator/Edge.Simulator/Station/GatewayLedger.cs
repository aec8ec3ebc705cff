namespace Edge.Simulator.Station;

/// <summary>
/// What the station has received from one gateway: each seq once, so missing seqs (gaps) and duplicates show.
/// </summary>
public sealed class GatewayLedger
{
    private readonly HashSet<long> _seqs = [];

    /// <summary>Distinct events received.</summary>
    public long Unique => _seqs.Count;

    /// <summary>Events received more than once (the same seq again).</summary>
    public long Duplicates { get; private set; }

    /// <summary>The highest seq received.</summary>
    public long MaxSeq { get; private set; }

    /// <summary>Records a seq; false when it was already received.</summary>
    public bool Add(long seq)
    {
        if (!_seqs.Add(seq))
        {
            Duplicates++;
            return false;
        }

        MaxSeq = Math.Max(MaxSeq, seq);
        return true;
    }

    /// <summary>True when every seq from 1 to <paramref name="upTo"/> was received.</summary>
    public bool HasAll(long upTo) => Missing(upTo) == 0;

    /// <summary>How many seqs from 1 to <paramref name="upTo"/> never arrived.</summary>
    public long Missing(long upTo)
    {
        long missing = 0;
        for (long s = 1; s <= upTo; s++)
        {
            if (!_seqs.Contains(s))
            {
                missing++;
            }
        }

        return missing;
    }
}
