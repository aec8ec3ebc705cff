namespace Edge.Simulator.Scenarios;

/// <summary>Notable moments of a run (broker stopped, gateway killed, wire cut), with when they happened.</summary>
public sealed class Journal(SimClock clock, TextWriter? live)
{
    private readonly Lock _lock = new();
    private readonly List<JournalEntry> _entries = [];

    public void Note(string text)
    {
        var entry = new JournalEntry(Math.Round(clock.WallElapsed.TotalSeconds, 1), text);
        lock (_lock)
        {
            _entries.Add(entry);
        }

        live?.WriteLine($"[{entry.AtS,5:0.0}s] {text}");
    }

    public IReadOnlyList<JournalEntry> Entries { get { lock (_lock) { return [.. _entries]; } } }

    /// <summary>A writer whose lines become notes (for components that report through a TextWriter).</summary>
    public TextWriter Writer => new NoteWriter(this);

    private sealed class NoteWriter(Journal journal) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value is not null)
            {
                journal.Note(value);
            }
        }
    }
}

/// <summary>One notable moment: seconds since the run started, and what happened.</summary>
public sealed record JournalEntry(double AtS, string Text);
