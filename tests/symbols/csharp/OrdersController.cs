// Orders API.
// @exposes App:Orders to Tampering

using System;
using Microsoft.AspNetCore.Mvc;

namespace Shop.Api
{
    public interface IOrders
    {
        /// <summary>Finds an order.</summary>
        /// @exposes App:Orders to Tampering
        string Find(int id);
    }

    [ApiController]
    public class OrdersController : ControllerBase
    {
        /// <summary>Finds an order.</summary>
        /// @exposes App:Orders to Tampering
        [HttpGet("{id}")]
        public IActionResult Get(int id)
        {
            // @exposes App:Orders to Tampering
            return Ok(id);
        }

        public string Token
        {
            get
            {
                // @exposes App:Orders to Tampering
                return Guid.NewGuid().ToString();
            }
        }
    }

    public record Order(int Id, string Owner);
}

// @exposes App:Orders to Tampering

public static class Program
{
    public static void Main() { }
}
