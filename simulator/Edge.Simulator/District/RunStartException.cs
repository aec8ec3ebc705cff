namespace Edge.Simulator.District;

/// <summary>A part of the run could not start (a port taken, a broker out of reach): the run ends with exit code 2 and this message.</summary>
public sealed class RunStartException : Exception
{
    public RunStartException(string message)
        : base(message)
    {
    }

    public RunStartException()
    {
    }

    public RunStartException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
