using Edge.Simulator.Topology;

namespace Edge.Simulator.Devices;

/// <summary>
/// The OSDP lines of the district, one per community that has OSDP readers, each a TCP listener (an RS-485 serial
/// server in front of the community's bus): community cNNN at port <c>base + NNN</c>, or on free ports when the base
/// is 0. <see cref="SimCommunity"/> puts its readers on its line.
/// </summary>
public sealed class OsdpLines : IAsyncDisposable
{
    private readonly Dictionary<string, SimOsdpLine> _lines;

    private OsdpLines(Dictionary<string, SimOsdpLine> lines) => _lines = lines;

    public static OsdpLines Start(IEnumerable<CommunityPlan> district, int portBase)
    {
        ArgumentNullException.ThrowIfNull(district);
        var lines = new Dictionary<string, SimOsdpLine>();
        try
        {
            foreach (var community in district.Where(c => CommunityWiring.Of(c).OsdpDoors.Any()))
            {
                var port = portBase == 0 ? 0 : portBase + CommunityWiring.Number(community.Id);
                lines[community.Id] = SimOsdpLine.Tcp(port);
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            foreach (var line in lines.Values)
            {
                line.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            throw;
        }

        return new OsdpLines(lines);
    }

    /// <summary>The community's line, or null when it has no OSDP readers.</summary>
    public SimOsdpLine? Line(string community) => _lines.GetValueOrDefault(community);

    /// <summary>Where each community's gateway finds its line.</summary>
    public IReadOnlyDictionary<string, Uri> Endpoints => _lines.ToDictionary(l => l.Key, l => l.Value.Endpoint);

    /// <summary>Readers on all lines.</summary>
    public int Readers => _lines.Values.Sum(l => l.Readers.Count);

    public async ValueTask DisposeAsync()
    {
        foreach (var line in _lines.Values)
        {
            await line.DisposeAsync().ConfigureAwait(false);
        }
    }
}
