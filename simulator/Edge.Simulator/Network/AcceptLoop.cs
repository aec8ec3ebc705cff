using System.Net.Sockets;

namespace Edge.Simulator.Network;

/// <summary>The accept loop every simulated TCP device shares: each connection served on its own task until the listener stops.</summary>
public static class AcceptLoop
{
    /// <summary>Accepts until <paramref name="ct"/> is cancelled or the listener is stopped; <paramref name="serve"/> owns each socket.</summary>
    public static async Task RunAsync(TcpListener listener, Func<Socket, CancellationToken, Task> serve, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(serve);
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            _ = Task.Run(() => serve(socket, ct), CancellationToken.None);
        }
    }
}
