namespace Barometer.Storage.Sqlite;

/// <summary>A one-minute bar of one instrument on one venue (written by the server from analytics).</summary>
public sealed record BarRow(string Venue, string Symbol, string Asset, long MinuteStart, double Open, double High, double Low,
    double Close, double BuyVolumeUsd, double SellVolumeUsd, double CvdUsd, double Vwap, long TradeCount);

/// <summary>A guard evaluation of one asset at one minute.</summary>
public sealed record GuardRow(string Asset, long Time, string Status, string ReasonsJson, string DataSource);

/// <summary>A stored liquidation.</summary>
public sealed record LiquidationRow(string Venue, string Symbol, string Asset, long ExchangeTime, double Price, double Quantity,
    double NotionalUsd, string LiquidatedSide, bool Sampled);

/// <summary>A stored large trade.</summary>
public sealed record TradeRow(string Venue, string Symbol, string Asset, long ExchangeTime, string TradeId, double Price, double Quantity,
    double NotionalUsd, string Side);

/// <summary>A stored funding sample.</summary>
public sealed record FundingRow(string Venue, string Symbol, string Asset, long ExchangeTime, double Rate, double IntervalHours,
    long NextFundingTime, double MarkPrice);

/// <summary>A stored open-interest sample.</summary>
public sealed record OpenInterestRow(string Venue, string Symbol, string Asset, long ExchangeTime, double Quantity, double NotionalUsd);

/// <summary>A stored data gap.</summary>
public sealed record GapRow(string Venue, string Stream, string? Symbol, long Start, long End, string Cause, string Detail);
