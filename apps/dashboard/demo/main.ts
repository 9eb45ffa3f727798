document.getElementById('store')!.textContent = 'Demo storefront';
