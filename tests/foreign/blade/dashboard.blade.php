{{-- @component note: the alert component lives in resources/views/components --}}
@extends('layouts.app')

@section('title', 'Dashboard')

@section('content')
    <h1>Welcome back, {{ $user->name }}</h1>

    @component('alert', ['type' => 'warning'])
        @slot('title')
            Heads up
        @endslot
        Your trial ends on {{ $user->trial_ends_at->toFormattedDateString() }}.
    @endcomponent

    <form method="POST" action="{{ route('profile.update') }}">
        @csrf
        @method('PUT')
        <input type="email" name="email" value="{{ old('email', $user->email) }}">
        @error('email')
            <p class="error">{{ $message }}</p>
        @enderror
        <button type="submit">Save</button>
    </form>

    @if ($orders->isEmpty())
        <p>No orders yet. Questions? Write to support@example.com.</p>
    @else
        <ul>
            @foreach ($orders as $order)
                <li>
                    #{{ $order->id }} @money($order->total)
                    @can('refund', $order)
                        <a href="{{ route('orders.refund', $order) }}">Refund</a>
                    @endcan
                </li>
            @endforeach
        </ul>
    @endif

    @php
        // @component and @section are compiled away before PHP runs.
        $count = $orders->count();
    @endphp

    {{-- @csrf must stay inside the form --}}
    <?php /* @component('alert') inside raw PHP is not a directive */ ?>
    <?php
    // @foreach ($orders as $order) would print literally here
    # @if and @endif are Blade, not PHP
    echo e($count);
    ?>

    @push('scripts')
        <script src="{{ mix('js/dashboard.js') }}"></script>
    @endpush
@endsection
