using System.Threading.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NUnit.Framework;

namespace Shop.Api.Controllers
{
    /// <summary>
    /// Orders endpoints. Questions to orders-team@example.com.
    /// </summary>
    /// <remarks>
    /// The Razor view starts with <c>@model Shop.Api.Controllers.Order</c>;
    /// see Views/Orders/Details.cshtml.
    /// </remarks>
    [ApiController]
    [Route("api/[controller]")]
    [Authorize(Roles = "Admin")]
    public class OrdersController : ControllerBase
    {
        private readonly IOrderStore _store;

        /// <param name="store">Where orders are kept.</param>
        public OrdersController(IOrderStore store) => _store = store;

        /// <summary>Gets one order.</summary>
        /// <param name="id">The order's id.</param>
        /// <returns>The order, or 404.</returns>
        // @see https://learn.microsoft.com/aspnet/core/web-api/action-return-types
        [HttpGet("{id}")]
        [ProducesResponseType(typeof(Order), 200)]
        public async Task<ActionResult<Order>> Get(int id)
        {
            var order = await _store.FindAsync(id);
            if (order is null)
            {
                return NotFound(); // @see ActionResult<T>
            }
            return order;
        }

        /// <summary>Renders the order as an HTML fragment.</summary>
        [HttpGet("{id}/fragment")]
        public ContentResult Fragment(int id)
        {
            const string template = "@model Shop.Api.Controllers.Order\n<p>@Model.Id</p>";
            var @class = "fragment";
            return Content(template.Replace("@Model.Id", id.ToString()) + "<!-- " + @class + " -->", "text/html");
        }

        /// <summary>Emails a receipt.</summary>
        /// <param name="id">The order's id.</param>
        /// <param name="to">An address such as <c>jane@example.com</c>.</param>
        [HttpPost("{id}/receipt")]
        public async Task<IActionResult> Receipt(int id, [FromQuery] string to)
        {
            var path = @"C:\receipts\" + id + ".pdf";
            await _store.SendReceiptAsync(id, to, path);
            return Accepted();
        }
    }

    public record Order(int Id, decimal Total);

    public interface IOrderStore
    {
        Task<Order?> FindAsync(int id);
        Task SendReceiptAsync(int id, string to, string path);
    }

    [TestFixture]
    public class OrdersControllerTests
    {
        // @test is not an NUnit thing; [Test] is.
        [Test]
        [Category("fast")]
        public void FragmentEmbedsTheId()
        {
            var controller = new OrdersController(new NullStore());
            var result = controller.Fragment(7);
            StringAssert.Contains("<p>7</p>", result.Content);
        }

        [TestCase(1)]
        [TestCase(2)]
        public void AcceptsAnyId(int id) => Assert.That(id, Is.Positive);

        /* @see NullStore below: it never finds an order. */
        private sealed class NullStore : IOrderStore
        {
            public Task<Order?> FindAsync(int id) => Task.FromResult<Order?>(null);
            public Task SendReceiptAsync(int id, string to, string path) => Task.CompletedTask;
        }
    }
}
