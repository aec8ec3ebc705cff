using System.Data.Common;

namespace Edge.Station.Store;

/// <summary>
/// Where the desk's store keeps its tables, and the little SQL that differs between its two databases: SQLite, one desk's
/// own file (the default), and PostgreSQL, which several desks share (<c>Desk:PostgreSql</c>). <see cref="DeskStore"/>
/// writes every query once, in the SQL both understand.
/// </summary>
public abstract class DeskDatabase : IDisposable
{
    /// <summary>What and where the database is, for messages: a path, or host, port and database.</summary>
    public abstract string Name { get; }

    /// <summary>True when other desks may write to the same database (their changes come through <see cref="ListenAsync"/>).</summary>
    public abstract bool Shared { get; }

    /// <summary>A connection for reading, opened.</summary>
    public abstract DbConnection OpenRead();

    /// <summary>A connection for one write transaction, opened; disposing of it gives it back.</summary>
    public abstract DbConnection OpenWrite();

    /// <summary>Makes or migrates the schema; refuses a database made by a newer desk.</summary>
    public abstract void Migrate();

    /// <summary>
    /// Called first in every write transaction: makes the writers of every desk on the database take turns, so a check
    /// and the write that follows it (a step that may be taken now, an escalation not yet recorded) see each other.
    /// </summary>
    public virtual void TakeTurn(DbTransaction tx)
    {
    }

    /// <summary>Tells the other desks on the database what a write transaction changed; they hear it once it commits.</summary>
    public virtual void Announce(DbTransaction tx, string news)
    {
    }

    /// <summary>
    /// Hands what other desks announce to <paramref name="heard"/> until cancelled. <paramref name="listening"/> is called
    /// each time it listens, with true when it listens again after <paramref name="lost"/> (news may have been missed in
    /// between). Returns at once for a database no other desk shares.
    /// </summary>
    public virtual Task ListenAsync(Action<string> heard, Action<Exception> lost, Action<bool> listening, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The values of a JSON array of strings held by parameter <paramref name="parameter"/>, as a subquery.</summary>
    public abstract string JsonStrings(string parameter);

    /// <summary>An aggregate joining <paramref name="column"/>'s values with commas.</summary>
    public abstract string JoinWithCommas(string column);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>The database was made by a newer desk, whose schema this desk does not know: run the newer desk.</summary>
public sealed class NewerSchemaException(string database, int version, int known)
    : InvalidOperationException($"{database} has schema {version}, newer than this desk's {known}: run the newer desk");
