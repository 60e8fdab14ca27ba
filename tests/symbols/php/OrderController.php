<?php
// Orders.
// @exposes App:Orders to Tampering

namespace App\Http;

use App\Models\Order;

interface Finder
{
    /** @exposes App:Orders to Tampering */
    public function find(int $id): ?Order;
}

final class OrderController implements Finder
{
    /**
     * Finds an order.
     * @exposes App:Orders to Tampering
     */
    #[Route('/orders/{id}')]
    public function find(int $id): ?Order
    {
        // @exposes App:Orders to Tampering
        return Order::find($id);
    }
}

trait Audits
{
    public function audit(): void
    {
        # @exposes App:Orders to Tampering
    }
}

// @exposes App:Orders to Tampering

function helper(): void
{
}
