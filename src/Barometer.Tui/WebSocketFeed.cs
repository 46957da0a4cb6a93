using System.Net.WebSockets;
using System.Text;

namespace Barometer.Tui;

/// <summary>
/// The --server client: connects to the broadcast WebSocket, subscribes to snapshots, alerts,
/// liquidations and connection status, and feeds a <see cref="SnapshotFeed"/>; when the server is
/// unreachable or the connection drops it says so and retries every 2 s, until cancelled.
/// </summary>
public static class WebSocketFeed
{
    /// <summary>The subscription sent after connecting.</summary>
    public const string Subscribe = """{"type":"subscribe","kinds":["snapshot","alert","liquidation","connection_status"]}""";

    /// <summary>Delay between connection attempts.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Runs until <paramref name="cancel"/>.</summary>
    /// <param name="server">ws://host:port.</param>
    /// <param name="feed">Where messages go.</param>
    /// <param name="cancel">Stops the client.</param>
    /// <returns>A task that ends when cancelled.</returns>
    public static async Task RunAsync(Uri server, SnapshotFeed feed, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(feed);
        var buffer = new byte[64 * 1024];
        while (!cancel.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(server, cancel).ConfigureAwait(false);
                feed.OnFeedState(FeedState.Connected);
                await socket.SendAsync(Encoding.UTF8.GetBytes(Subscribe), WebSocketMessageType.Text, true, cancel).ConfigureAwait(false);
                using var message = new MemoryStream();
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, cancel).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        feed.OnFeedState(FeedState.Unreachable, "server closed the connection: " + result.CloseStatusDescription);
                        break;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (result.EndOfMessage)
                    {
                        feed.HandleMessage(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                        message.SetLength(0);
                    }
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or InvalidOperationException)
            {
                feed.OnFeedState(FeedState.Unreachable, ex.Message);
            }

            try
            {
                await Task.Delay(RetryDelay, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
