using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Barometer.Simulation.Tests.Emulator;

/// <summary>A WebSocket test client: a background loop queues every text message; receives time out.</summary>
internal sealed class WsTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public static async Task<WsTestClient> ConnectAsync(Uri uri)
    {
        var client = new WsTestClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client._socket.ConnectAsync(uri, timeout.Token);
        client._loop = client.ReceiveLoopAsync();
        return client;
    }

    public async Task SendAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message; fails the test after 5 s.</summary>
    public async Task<string> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no message within 5 s");
        }
    }

    /// <summary>The next message parsed.</summary>
    public async Task<JsonElement> ReceiveJsonAsync()
    {
        string text = await ReceiveAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Null when nothing arrives within <paramref name="wait"/>.</summary>
    public async Task<string?> TryReceiveAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    _messages.Writer.TryWrite(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }
}

/// <summary>JSON helpers for frame assertions.</summary>
internal static class FrameJson
{
    /// <summary>Property names in document order.</summary>
    public static string Keys(JsonElement obj)
    {
        var names = new List<string>();
        foreach (var p in obj.EnumerateObject())
        {
            names.Add(p.Name);
        }

        return string.Join(",", names);
    }

    /// <summary>[[price,size],...] as "p:s|p:s".</summary>
    public static string Levels(JsonElement array)
    {
        var parts = new List<string>();
        foreach (var level in array.EnumerateArray())
        {
            var items = new List<string>();
            foreach (var item in level.EnumerateArray())
            {
                items.Add(item.GetString()!);
            }

            parts.Add(string.Join(":", items));
        }

        return string.Join("|", parts);
    }
}
