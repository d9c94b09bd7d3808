using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Ockam.Silo.Configuration;
using Ockam.Silo.Storage;

namespace Ockam.Silo.Telemetry;

/// <summary>
/// Messages waiting in relay mailboxes, and their bytes: gauges read from the store's rows, so every silo of a cluster
/// reports the same cluster-wide figure (it counts what is stored, wherever the relay is active). A relay's grain
/// knows only its own mailbox, and counting appends and deletions here would miss what was stored before this start.
/// </summary>
/// <remarks>
/// One query per <see cref="Refresh"/> at most, however often the gauges are read (each exporter reads them, and a
/// scrape may come at any rate): a count over the rows costs the database more as mailboxes fill.
/// </remarks>
internal sealed class MailboxDepth : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(10);

    private readonly Func<DbConnection> connect;
    private readonly string serviceId;
    private readonly TimeProvider time;
    private readonly Meter meter;
    private readonly Lock gate = new();
    private (long Messages, long Bytes)? last;
    private long readAt;

    public MailboxDepth(IMeterFactory meters, OckamOptions options, TimeProvider time)
    {
        connect = options.Storage == StorageKind.Sqlite
            ? () => new SqliteConnection(SchemaInstaller.SqliteConnectionString(options.SqlitePath))
            : () => new NpgsqlConnection(options.ConnectionString);
        serviceId = options.ServiceId;
        this.time = time;
        meter = meters.Create(SiloTelemetry.Name);
        meter.CreateObservableGauge("ockam.relay.mailbox.messages", () => Read()?.Messages ?? [], description: "Messages stored in relay mailboxes, not yet acknowledged by their owners");
        meter.CreateObservableGauge("ockam.relay.mailbox.bytes", () => Read()?.Bytes ?? [], "By", "Envelope bytes stored in relay mailboxes");
    }

    public void Dispose() => meter.Dispose();

    private (Measurement<long>[] Messages, Measurement<long>[] Bytes)? Read()
    {
        lock (gate)
        {
            if (last is null || time.GetElapsedTime(readAt) >= Refresh)
            {
                last = Count();
                readAt = time.GetTimestamp();
            }

            return last is { } depth ? ([new(depth.Messages)], [new(depth.Bytes)]) : null;
        }
    }

    /// <summary>The store's figure, or none while it cannot be read (the gauge then reports nothing rather than a wrong zero).</summary>
    private (long Messages, long Bytes)? Count()
    {
        try
        {
            using var connection = connect();
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), COALESCE(SUM(Size), 0) FROM RelayMail WHERE ServiceId = @service";
            var service = command.CreateParameter();
            service.ParameterName = "@service";
            service.Value = serviceId;
            command.Parameters.Add(service);
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }
        catch (DbException)
        {
            return null;
        }
    }
}
