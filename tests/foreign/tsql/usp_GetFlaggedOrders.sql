-- =============================================
-- Author:      Jane Doe <jane@example.com>
-- Create date: 2024-03-01
-- Description: Orders flagged by the fraud screen in a date range.
-- Parameters:
--   @StartDate: first day of the range
--   @EndDate:   last day of the range (inclusive)
--   @UserId:    only this customer's orders, or NULL for all
-- =============================================
CREATE PROCEDURE dbo.usp_GetFlaggedOrders
    @StartDate DATE,            -- @StartDate: first day of the range
    @EndDate DATE,
    @UserId INT = NULL,         -- @UserId NULL means every customer
    @threat_level INT = 2       -- minimum score, 1 (low) to 5 (critical)
AS
BEGIN
    SET NOCOUNT ON;

    DECLARE @threat_level_max INT = 5;
    DECLARE @control BIT = 0;
    DECLARE @component NVARCHAR(50) = N'fraud-screen';
    DECLARE @rows INT;

    -- @threat_level below 1 is treated as 1
    IF @threat_level < 1
        SET @threat_level = 1;

    SELECT o.OrderId,
           o.UserId,
           o.Total,
           f.Score AS ThreatLevel,
           @component AS Source
    FROM dbo.Orders AS o
    JOIN dbo.FraudScores AS f ON f.OrderId = o.OrderId
    WHERE o.CreatedAt >= @StartDate
      AND o.CreatedAt < DATEADD(day, 1, @EndDate)
      AND (@UserId IS NULL OR o.UserId = @UserId)
      AND f.Score BETWEEN @threat_level AND @threat_level_max
    ORDER BY f.Score DESC, o.CreatedAt;

    SET @rows = @@ROWCOUNT;

    /* @@ROWCOUNT must be read straight after the statement it counts. */
    IF @rows = 0 AND @control = 0
        PRINT 'No flagged orders for @UserId ' + CAST(@UserId AS VARCHAR(12));

    RETURN @rows;
END;
GO

-- Example:
-- EXEC dbo.usp_GetFlaggedOrders @StartDate = '2024-01-01', @EndDate = '2024-01-31', @threat_level = 4;
