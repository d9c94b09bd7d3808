using System.Globalization;
using System.Text;
using Ockam.Client.Edge;
using Ockam.Identity.Policies;
using Ockam.Messaging.SecureChannels;

namespace Ockam.Client.Tests.Support;

/// <summary>
/// The heart-rate pair on one silo: a phone enrolled, listening on its relay "phone" and accepting monitors, and a
/// monitor with an end-to-end channel to it through the relay. Readings are "n=&lt;number&gt;".
/// </summary>
internal sealed class PhoneAndMonitor(EdgeNode phone, EdgeNode monitor, SecureChannel channel) : IAsyncDisposable
{
    public EdgeNode Phone => phone;

    public EdgeNode Monitor => monitor;

    public SecureChannel Channel => channel;

    public static async Task<PhoneAndMonitor> ConnectedAsync(RunningSilo silo, string phoneHome, string monitorHome)
    {
        var phone = await silo.EnrolledNodeAsync(phoneHome, ("ockam.role", "phone"), ("ockam.relay", "phone"));
        EdgeNode? monitor = null;
        try
        {
            monitor = await silo.EnrolledNodeAsync(monitorHome, ("ockam.role", "monitor"));
            await phone.CreateRelayAsync("phone");
            await phone.AcceptAsync(Policy.Parse("(= subject.ockam.role \"monitor\")"));
            await phone.ListenAsync("phone");
            return new PhoneAndMonitor(phone, monitor, await monitor.ConnectAsync("phone", Policy.Parse("(= subject.ockam.role \"phone\")")));
        }
        catch
        {
            if (monitor is not null)
            {
                await monitor.DisposeAsync();
            }

            await phone.DisposeAsync();
            throw;
        }
    }

    public ValueTask SendAsync(int reading) => monitor.SendAsync(channel, Encoding.UTF8.GetBytes($"n={reading}"));

    /// <summary>The number of the next reading the phone's application reads.</summary>
    public async Task<int> ReadingAsync(CancellationToken cancellationToken) =>
        int.Parse(Encoding.UTF8.GetString((await phone.ReceiveAsync(cancellationToken)).Payload.Span)["n=".Length..], CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await monitor.DisposeAsync();
        await phone.DisposeAsync();
    }
}
